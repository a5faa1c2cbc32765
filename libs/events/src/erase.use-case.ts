import { Injectable } from '@nestjs/common';
import { ErasureRepository, subjectSearch, type ErasureCounts, type ErasureSubject } from '@app/database';
import { errorMessage } from '@app/observability';
import { FORWARD_QUEUE_PREFIX, QUEUES } from '@app/queue';
import { QueueScrubber, type QueueScrubResult, type StoredJob } from '@app/queue-runtime';

export interface ErasureResult {
  database: ErasureCounts;
  /** What went from Redis, or why nothing could (Postgres is erased first, and stays erased). */
  redis: QueueScrubResult | { error: string };
}

/**
 * A personal-data request: Postgres in one transaction (bodies, mirrored objects, deliveries, error
 * texts), then Redis under QUEUE_PREFIX: jobs whose failedReason, stacktrace or logs name the
 * subject, jobs and dead-letter entries of events whose bodies are gone, jobs of deleted
 * deliveries, and the stream entries that name the subject. Running it again is harmless.
 */
@Injectable()
export class EraseUseCase {
  constructor(
    private readonly repository: ErasureRepository,
    private readonly queues: QueueScrubber,
  ) {}

  async erase(subject: ErasureSubject): Promise<ErasureResult> {
    const database = await this.repository.erase(subject);
    const search = subjectSearch(subject);
    const pattern = new RegExp(search.text, search.flags);
    try {
      return {
        database,
        redis: await this.queues.scrub(
          (text) => pattern.test(text),
          (jobs) => this.orphaned(jobs),
        ),
      };
    } catch (err) {
      return { database, redis: { error: errorMessage(err) } };
    }
  }

  // A job serves nothing once its event's body or its delivery is gone (erased, or purged by retention).
  private async orphaned(jobs: StoredJob[]): Promise<StoredJob[]> {
    const ref = (job: StoredJob, field: string) => (typeof job.data[field] === 'string' ? job.data[field] : undefined);
    const ofEvents = jobs.filter(
      (j) => (j.queue === QUEUES.squareEvents || j.queue === QUEUES.deadLetter) && ref(j, 'eventId'),
    );
    const ofDeliveries = jobs.filter((j) => j.queue.startsWith(FORWARD_QUEUE_PREFIX) && ref(j, 'deliveryId'));
    const purged = await this.repository.purgedEvents(ofEvents.map((j) => ref(j, 'eventId')!));
    const present = await this.repository.presentDeliveries(ofDeliveries.map((j) => ref(j, 'deliveryId')!));
    return [
      ...ofEvents.filter((j) => purged.has(ref(j, 'eventId')!)),
      ...ofDeliveries.filter((j) => !present.has(ref(j, 'deliveryId')!)),
    ];
  }
}

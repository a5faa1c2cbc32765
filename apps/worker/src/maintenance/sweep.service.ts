import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WorkerConfig } from '@app/config';
import { EventStatusRepository, ForwardDeliveriesRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { SquareEventsProducer } from '@app/queue-runtime';
import { ForwardQueues } from '../forwarding/forward-queues.js';
import { PeriodicTask } from './periodic-task.js';
import { DeadLetterUseCase } from '../square-events/dead-letter.use-case.js';

const BATCH = 500;

export interface SweepResult {
  candidates: number;
  enqueued: number;
  deadLettered: number;
}

/**
 * Self-healing: an event still 'received' long after it arrived, or a delivery still pending long
 * after its attempt was due, has probably lost its job (Redis restarted without persistence after
 * the relay had enqueued it). The sweep re-enqueues it; the job id makes that a no-op when the job
 * is in fact still queued. One worker sweeps each at a time (advisory locks); with nothing to do it
 * costs two indexed queries.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweepService.name);
  private readonly task = new PeriodicTask(
    () => this.sweepOnce(),
    (err) => this.logger.warn('sweep failed; will try again', { error: errorMessage(err) }),
  );

  constructor(
    private readonly events: EventStatusRepository,
    private readonly producer: SquareEventsProducer,
    private readonly deadLetter: DeadLetterUseCase,
    private readonly deliveries: ForwardDeliveriesRepository,
    private readonly forward: ForwardQueues,
    private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.sweepIntervalMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; concurrent calls share the pass in progress. */
  sweep(): Promise<SweepResult> {
    return this.task.run();
  }

  private async sweepOnce(): Promise<SweepResult> {
    const events = await this.sweepEvents();
    const deliveries = await this.sweepDeliveries();
    return {
      candidates: events.candidates + deliveries.candidates,
      enqueued: events.enqueued + deliveries.enqueued,
      deadLettered: events.deadLettered + deliveries.deadLettered,
    };
  }

  private async sweepEvents(): Promise<SweepResult> {
    const candidates = await this.events.claimSweepCandidates(this.config.sweepAfterMs, BATCH);
    const result: SweepResult = { candidates: candidates.length, enqueued: 0, deadLettered: 0 };
    for (const candidate of candidates) {
      const { eventId } = candidate;
      const queued = await this.producer.ensureQueued(candidate);
      if (queued.state === 'enqueued') result.enqueued++;
      if (queued.state === 'failed') {
        // The job failed for good but the event was not marked (Postgres was down then).
        await this.deadLetter.execute(eventId, {
          reason: 'attempts_exhausted',
          error: queued.failedReason,
          attempts: queued.attemptsMade,
        });
        result.deadLettered++;
      }
    }
    if (result.enqueued > 0 || result.deadLettered > 0) this.logger.warn('sweep recovered events', { ...result });
    return result;
  }

  private async sweepDeliveries(): Promise<SweepResult> {
    const candidates = await this.deliveries.claimSweepCandidates(
      this.forward.names(),
      this.config.sweepAfterMs,
      BATCH,
    );
    const result: SweepResult = { candidates: candidates.length, enqueued: 0, deadLettered: 0 };
    for (const candidate of candidates) {
      const queued = await this.forward.ensureQueued(candidate);
      if (queued.state === 'enqueued') result.enqueued++;
      if (queued.state === 'failed') {
        // Its job failed for good (it kept stalling) without the delivery being marked.
        await this.deliveries.markDeadLettered(candidate.id, {
          attempts: queued.attemptsMade,
          status: null,
          error: queued.failedReason,
        });
        result.deadLettered++;
      }
    }
    if (result.enqueued > 0 || result.deadLettered > 0) this.logger.warn('sweep recovered deliveries', { ...result });
    return result;
  }
}

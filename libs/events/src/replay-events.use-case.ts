import { Injectable, Logger } from '@nestjs/common';
import { EventStatusRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { DeadLetterQueue, SquareEventsProducer } from '@app/queue';

export interface ReplayResult {
  replayed: string[];
  /** Not dead-lettered (unknown, processed, ignored or still received): left alone. */
  skipped: string[];
  failed: Array<{ eventId: string; error: string }>;
}

/**
 * Puts dead-lettered events back to 'received' and enqueues them again, e.g. after Square or a
 * bug was fixed. Events in any other status are left alone: a processed event has had its
 * effect, and a received one is already on its way (the sweep re-enqueues lost jobs).
 */
@Injectable()
export class ReplayEventsUseCase {
  private readonly logger = new Logger(ReplayEventsUseCase.name);

  constructor(
    private readonly events: EventStatusRepository,
    private readonly producer: SquareEventsProducer,
    private readonly deadLetters: DeadLetterQueue,
  ) {}

  async replay(eventIds: string[]): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: [], skipped: [], failed: [] };
    // One event at a time, reset then requeue, so no event waits long with its old failed job.
    for (const eventId of new Set(eventIds)) {
      if (!(await this.events.resetForReplay(eventId))) {
        result.skipped.push(eventId);
        continue;
      }
      try {
        await this.producer.requeue(eventId);
        await this.deadLetters.remove(eventId);
        result.replayed.push(eventId);
      } catch (err) {
        // The event is 'received' again: if the enqueue failed, the sweep will enqueue it.
        result.failed.push({ eventId, error: errorMessage(err) });
      }
    }
    if (result.replayed.length > 0) this.logger.log('events replayed', { count: result.replayed.length });
    return result;
  }

  async replayDeadLettered(): Promise<ReplayResult> {
    return this.replay(await this.events.deadLetteredIds());
  }
}

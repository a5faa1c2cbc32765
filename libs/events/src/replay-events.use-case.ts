import { Injectable, Logger } from '@nestjs/common';
import { EventStatusRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { DeadLetterQueue } from '@app/queue';

export interface ReplayResult {
  replayed: string[];
  /** Not dead-lettered (unknown, processed, ignored or still received): left alone. */
  skipped: string[];
  failed: Array<{ eventId: string; error: string }>;
}

/**
 * Puts dead-lettered events back to 'received' with a new job in the outbox (one statement each),
 * e.g. after Square or a bug was fixed; the worker's relay enqueues them. Events in any other status
 * are left alone: a processed event has had its effect, and a received one is already on its way.
 * Only the Bull Board listing of dead letters lives in Redis: it is updated when Redis answers.
 */
@Injectable()
export class ReplayEventsUseCase {
  private readonly logger = new Logger(ReplayEventsUseCase.name);

  constructor(
    private readonly events: EventStatusRepository,
    private readonly deadLetters: DeadLetterQueue,
  ) {}

  async replay(eventIds: string[]): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: [], skipped: [], failed: [] };
    for (const eventId of new Set(eventIds)) {
      try {
        if (await this.events.resetForReplay(eventId)) result.replayed.push(eventId);
        else result.skipped.push(eventId);
      } catch (err) {
        result.failed.push({ eventId, error: errorMessage(err) });
      }
    }
    await this.unlistDeadLetters(result.replayed);
    if (result.replayed.length > 0) this.logger.log('events replayed', { count: result.replayed.length });
    return result;
  }

  async replayDeadLettered(): Promise<ReplayResult> {
    return this.replay(await this.events.deadLetteredIds());
  }

  private async unlistDeadLetters(eventIds: string[]): Promise<void> {
    try {
      for (const eventId of eventIds) await this.deadLetters.remove(eventId);
    } catch (err) {
      this.logger.warn('replayed events are still listed in the dead-letter queue (Redis did not answer)', { error: errorMessage(err) });
    }
  }
}

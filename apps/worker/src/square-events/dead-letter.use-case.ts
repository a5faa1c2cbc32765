import { Injectable, Logger } from '@nestjs/common';
import { DeadLetterInfo, EventStatusRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { DeadLetterQueue } from '@app/queue-runtime';

/**
 * Gives up on an event: marks it dead_lettered (reason, last error, attempts) and lists it in the
 * dead-letter queue for Bull Board. Idempotent: doing it twice changes nothing.
 */
@Injectable()
export class DeadLetterUseCase {
  private readonly logger = new Logger(DeadLetterUseCase.name);

  constructor(
    private readonly events: EventStatusRepository,
    private readonly deadLetters: DeadLetterQueue,
  ) {}

  async execute(eventId: string, info: DeadLetterInfo): Promise<void> {
    // Postgres first: it is the record replay works from. A failure here propagates, so the job
    // is not treated as handled (and the sweep catches a job that failed for good).
    const changed = await this.events.markDeadLettered(eventId, info);
    try {
      await this.deadLetters.add(eventId, info.reason);
    } catch (err) {
      this.logger.warn('dead-lettered event not listed in the dead-letter queue', {
        eventId,
        error: errorMessage(err),
      });
    }
    if (changed) this.logger.warn('event dead-lettered', { eventId, ...info });
  }
}

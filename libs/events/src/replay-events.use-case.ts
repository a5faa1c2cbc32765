import { Injectable, Logger } from '@nestjs/common';
import { EventStatusRepository, type DeadLetterFilter } from '@app/database';
import { errorMessage } from '@app/observability';
import { DeadLetterQueue } from '@app/queue-runtime';

export interface ReplayResult {
  replayed: string[];
  /** In the inbox but not dead-lettered (processed, ignored or still received): left alone. */
  skipped: string[];
  /** Not in the inbox at all. */
  notFound: string[];
  /** Postgres failed for these; nothing changed. */
  failed: Array<{ eventId: string; error: string }>;
  /** Set when the replay worked but Redis did not answer, so Bull Board still lists them as dead letters. */
  warning?: string;
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
    const result: ReplayResult = { replayed: [], skipped: [], notFound: [], failed: [] };
    for (const eventId of new Set(eventIds)) {
      try {
        const reset = await this.events.resetForReplay(eventId);
        if (reset === 'replayed') result.replayed.push(eventId);
        else if (reset === 'not_found') result.notFound.push(eventId);
        else result.skipped.push(eventId);
      } catch (err) {
        result.failed.push({ eventId, error: errorMessage(err) });
      }
    }
    const unlisted = await this.unlistDeadLetters(result.replayed);
    if (unlisted) result.warning = unlisted;
    if (result.replayed.length > 0) this.logger.log('events replayed', { count: result.replayed.length });
    return result;
  }

  /**
   * Every dead-lettered event a filter matches, oldest first, at most `ratePerSecond` a second (so
   * that a replay of 100 000 events leaves the workers to live traffic) and at most `max` of them.
   * A dry run only counts. `more`: events matched beyond `max`.
   */
  async replayMatching(
    filter: DeadLetterFilter,
    opts: { ratePerSecond: number; max?: number; dryRun?: boolean },
  ): Promise<{ matched: number; result: ReplayResult; more: boolean }> {
    const result: ReplayResult = { replayed: [], skipped: [], notFound: [], failed: [] };
    const max = opts.max ?? Number.POSITIVE_INFINITY;
    const page = Math.max(1, Math.min(500, Math.ceil(opts.ratePerSecond)));
    let matched = 0;
    let after: { receivedAt: Date; eventId: string } | undefined;
    const started = Date.now();
    for (;;) {
      const batch = await this.events.deadLetteredMatching(filter, Math.min(page, max - matched + 1), after);
      const taken = batch.slice(0, Math.max(0, max - matched));
      matched += taken.length;
      if (!opts.dryRun && taken.length > 0) {
        const replayed = await this.replay(taken.map((e) => e.eventId));
        for (const key of ['replayed', 'skipped', 'notFound', 'failed'] as const)
          (result[key] as unknown[]).push(...replayed[key]);
        if (replayed.warning) result.warning = replayed.warning;
        // The rate: this many events should have taken at least this long.
        const due = started + (1000 * matched) / opts.ratePerSecond - Date.now();
        if (due > 0) await new Promise((r) => setTimeout(r, due));
      }
      if (batch.length > taken.length) return { matched, result, more: true };
      if (batch.length < page) return { matched, result, more: false };
      after = batch.at(-1);
    }
  }

  async replayDeadLettered(): Promise<ReplayResult> {
    return this.replay(await this.events.deadLetteredIds());
  }

  /** undefined when done; else why the dead-letter queue still lists replayed events. */
  private async unlistDeadLetters(eventIds: string[]): Promise<string | undefined> {
    try {
      for (const eventId of eventIds) await this.deadLetters.remove(eventId);
      return undefined;
    } catch (err) {
      const warning = `replayed, but Bull Board's dead-letter queue still lists them (Redis: ${errorMessage(err)})`;
      this.logger.warn(warning);
      return warning;
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { RetentionConfig } from '@app/config';
import {
  InboxPartitionsRepository,
  PURGE_CATEGORIES,
  RetentionRepository,
  type PurgeCounts,
  type PurgeCutoffs,
} from '@app/database';
import { errorMessage } from '@app/observability';
import { DeadLetterQueue, RedisConnectionReport } from '@app/queue-runtime';
import { withTimeout } from '@app/timeouts';

const DAY_MS = 24 * 3600 * 1000;
// Rows per statement: each batch is one short transaction, holding its rows' locks for tens of
// milliseconds (the purge rate is in docs/BENCHMARKS.md, section 7).
export const PURGE_BATCH = 1000;

// A Redis that does not answer must not hold up the pass (nor the worker's shutdown, which waits for it).
const REDIS_ANSWER_MS = 5000;

export const noPurge = (): PurgeCounts => ({ events: 0, deadLettered: 0, deliveries: 0, invalid: 0 });

/** What a purge removed: rows (by category) and dead-letter entries in Redis. */
export interface PurgeResult {
  purged: PurgeCounts;
  /** Entries of the dead-letter queue removed with their events' bodies (or expired). */
  deadLetterEntries: number;
  complete: boolean;
}

/**
 * Retention: empties the bodies of old finished events (their rows stay until their month is
 * dropped, their ids forever, so deduplication works forever at a few bytes per event) and deletes
 * old deliveries and invalid bodies, in batches. A dead-lettered event's entry in the dead-letter
 * queue goes with its body.
 */
@Injectable()
export class PurgeUseCase {
  private readonly logger = new Logger(PurgeUseCase.name);

  constructor(
    private readonly repository: RetentionRepository,
    private readonly partitions: InboxPartitionsRepository,
    private readonly config: RetentionConfig,
    private readonly deadLetters: DeadLetterQueue,
    private readonly connections: RedisConnectionReport,
  ) {}

  /** The configured retention (RETENTION_*_DAYS; 0 keeps a category), from `now`. */
  configuredCutoffs(now = Date.now()): PurgeCutoffs {
    const before = (days: number) => (days > 0 ? new Date(now - days * DAY_MS) : undefined);
    return {
      events: before(this.config.eventDays),
      deadLettered: before(this.config.deadLetteredDays),
      deliveries: before(this.config.deliveryDays),
      invalid: before(this.config.invalidDays),
    };
  }

  /**
   * Retention's second step: the inbox's months (partitions) that ended before the longer of the two
   * event retentions and whose every body was purged are dropped whole; their ids stay in
   * webhook_event_ids, so a redelivery is still a duplicate. Nothing while either keeps bodies
   * forever (0). Resolves with the partitions dropped.
   */
  async dropExpiredPartitions(now = Date.now()): Promise<string[]> {
    const { eventDays, deadLetteredDays } = this.config;
    if (eventDays === 0 || deadLetteredDays === 0) return [];
    return this.partitions.dropExpired(new Date(now - Math.max(eventDays, deadLetteredDays) * DAY_MS));
  }

  count(cutoffs: PurgeCutoffs): Promise<PurgeCounts> {
    return this.repository.count(cutoffs);
  }

  /**
   * Batch after batch until nothing is left or `budgetMs` is spent, pausing `pauseMs` between
   * batches so that live traffic keeps the database; resolves with what went and whether all did.
   */
  async purge(cutoffs: PurgeCutoffs, opts: { budgetMs?: number; pauseMs?: number } = {}): Promise<PurgeResult> {
    const purged = noPurge();
    let deadLetterEntries = 0;
    const deadline = Date.now() + (opts.budgetMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      const batch = await this.repository.purgeBatch(cutoffs, PURGE_BATCH);
      for (const c of PURGE_CATEGORIES) purged[c] += batch.counts[c];
      deadLetterEntries += await this.redis(() => this.deadLetters.removeAll(batch.deadLettered));
      const complete = PURGE_CATEGORIES.every((c) => batch.counts[c] < PURGE_BATCH);
      if (complete || Date.now() > deadline) {
        // The backstop: entries whose removal failed above (Redis was down), by their own age.
        if (complete && cutoffs.deadLettered)
          deadLetterEntries += await this.redis(() => this.deadLetters.expire(cutoffs.deadLettered!));
        return { purged, deadLetterEntries, complete };
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  }

  // Redis down: the bodies still go (Postgres is what matters); the entries go on a later pass.
  // Known to be down: skip at once rather than wait REDIS_ANSWER_MS (a pass in progress holds the
  // worker's shutdown: SIGTERM with Redis gone took up to 5 s more).
  private async redis(work: () => Promise<number>): Promise<number> {
    if (!this.connections.reachable) {
      this.logger.warn('dead-letter entries not removed (Redis is unreachable); a later purge removes them');
      return 0;
    }
    try {
      return await withTimeout(work(), REDIS_ANSWER_MS, `Redis did not answer within ${REDIS_ANSWER_MS / 1000} s`);
    } catch (err) {
      this.logger.warn('dead-letter entries not removed; a later purge removes them', { error: errorMessage(err) });
      return 0;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { RetentionConfig } from '@app/config';
import { PURGE_CATEGORIES, RetentionRepository, type PurgeCounts, type PurgeCutoffs } from '@app/database';

const DAY_MS = 24 * 3600 * 1000;
// Rows per statement: each batch is one short transaction, holding its rows' locks for tens of
// milliseconds (the purge rate is in docs/BENCHMARKS.md, section 7).
export const PURGE_BATCH = 1000;

export const noPurge = (): PurgeCounts => ({ events: 0, deadLettered: 0, deliveries: 0, invalid: 0 });

/**
 * Retention: empties the bodies of old finished events (their rows stay, so deduplication works
 * forever at a few bytes per event) and deletes old deliveries and invalid bodies, in batches.
 */
@Injectable()
export class PurgeUseCase {
  constructor(
    private readonly repository: RetentionRepository,
    private readonly config: RetentionConfig,
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

  count(cutoffs: PurgeCutoffs): Promise<PurgeCounts> {
    return this.repository.count(cutoffs);
  }

  /**
   * Batch after batch until nothing is left or `budgetMs` is spent, pausing `pauseMs` between
   * batches so that live traffic keeps the database; resolves with what went and whether all did.
   */
  async purge(cutoffs: PurgeCutoffs, opts: { budgetMs?: number; pauseMs?: number } = {}): Promise<{ purged: PurgeCounts; complete: boolean }> {
    const purged = noPurge();
    const deadline = Date.now() + (opts.budgetMs ?? Number.POSITIVE_INFINITY);
    for (;;) {
      const batch = await this.repository.purgeBatch(cutoffs, PURGE_BATCH);
      for (const c of PURGE_CATEGORIES) purged[c] += batch[c];
      if (PURGE_CATEGORIES.every((c) => batch[c] < PURGE_BATCH)) return { purged, complete: true };
      if (Date.now() > deadline) return { purged, complete: false };
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  }
}

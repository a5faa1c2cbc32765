import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RetentionConfig } from '@app/config';
import { ADVISORY_LOCKS, PeriodicLock, PURGE_CATEGORIES } from '@app/database';
import { PurgeUseCase } from '@app/events';
import { purged as purgedMetric } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { PeriodicTask } from './periodic-task.js';

// Per pass: a large backlog (the first run after an upgrade) is worked off over several intervals.
const BUDGET_MS = 60_000;
const PAUSE_MS = 20;

/** Every RETENTION_INTERVAL_MS (0: never), one worker purges what the RETENTION_*_DAYS settings expire. */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly task = new PeriodicTask(
    () => this.runOnce(),
    (err) => this.logger.warn('purge failed; will try again', { error: errorMessage(err) }),
  );

  constructor(
    private readonly purge: PurgeUseCase,
    private readonly config: RetentionConfig,
    private readonly lock: PeriodicLock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.intervalMs === 0) return;
    // The first pass a second after the start, out of the way of the worker's own startup.
    this.task.start(this.config.intervalMs, 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  private async runOnce(): Promise<void> {
    await this.lock.run(ADVISORY_LOCKS.retention, async () => {
      const { purged, deadLetterEntries, complete } = await this.purge.purge(this.purge.configuredCutoffs(), {
        budgetMs: BUDGET_MS,
        pauseMs: PAUSE_MS,
      });
      for (const category of PURGE_CATEGORIES)
        if (purged[category] > 0) purgedMetric.inc({ category }, purged[category]);
      if (PURGE_CATEGORIES.some((c) => purged[c] > 0) || deadLetterEntries > 0)
        this.logger.log('purged what retention expires', { ...purged, deadLetterEntries, complete });
      // Whole months go once every body in them is purged (a month still purging waits for a later pass).
      if (!complete) return;
      const dropped = await this.purge.dropExpiredPartitions();
      if (dropped.length > 0) this.logger.log('dropped expired months of the inbox', { partitions: dropped });
    });
  }
}

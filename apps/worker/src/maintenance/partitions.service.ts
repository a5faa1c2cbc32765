import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ADVISORY_LOCKS, InboxPartitionsRepository, PeriodicLock } from '@app/database';
import { errorMessage } from '@app/observability';
import { PeriodicTask } from './periodic-task.js';

// This month and the next three: a worker may be down for two months before a capture lands in
// the default partition (still stored, never refused: docs/SCALING.md, Partitions).
export const PARTITION_MONTHS_AHEAD = 4;
// A pass costs one catalog lookup per month; four a day leaves no month start unprepared.
const INTERVAL_MS = 6 * 3600 * 1000;

/** Makes the inbox's monthly partitions ahead (webhook_events_pYYYYMM), one worker at a time. */
@Injectable()
export class PartitionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartitionsService.name);
  private readonly task = new PeriodicTask(
    () => this.runOnce(),
    (err) => this.logger.warn('making partitions ahead failed; will try again', { error: errorMessage(err) }),
  );

  constructor(
    private readonly partitions: InboxPartitionsRepository,
    private readonly lock: PeriodicLock,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(INTERVAL_MS, 0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; resolves with how many partitions it made (undefined: another worker held the lock). */
  runOnce(): Promise<number | undefined> {
    return this.lock.run(ADVISORY_LOCKS.partitions, async () => {
      const made = await this.partitions.makePartitions(new Date(), PARTITION_MONTHS_AHEAD);
      if (made > 0) this.logger.log('made the inbox partitions ahead', { made });
      return made;
    });
  }
}

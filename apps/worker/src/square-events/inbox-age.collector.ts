import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { EventStatusRepository } from '@app/database';
import { registry } from '@app/metrics';
import { withTimeout } from '@app/timeouts';

const NAME = 'square_inbox_oldest_received_seconds';
const SCRAPE_TIMEOUT_MS = 1000;

/**
 * How long the oldest event not yet processed has waited, read from Postgres at scrape time: the
 * "queue is old" signal (events stuck behind a failing Square, a lost job, a stopped worker).
 */
@Injectable()
export class InboxAgeCollector implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly events: EventStatusRepository) {}

  onModuleInit(): void {
    const { events } = this;
    registry.removeSingleMetric(NAME); // one per process (the tests start several apps in one)
    new Gauge({
      name: NAME,
      help: "Age in seconds of the oldest inbox event still 'received' (0 when none waits), read from Postgres at scrape time",
      registers: [registry],
      async collect() {
        // Absent rather than wrong when Postgres does not answer in time.
        const seconds = await withTimeout(events.oldestReceivedSeconds(), SCRAPE_TIMEOUT_MS).catch(() => undefined);
        this.reset();
        if (seconds !== undefined) this.set(seconds);
      },
    });
  }

  onModuleDestroy(): void {
    registry.removeSingleMetric(NAME);
  }
}

import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ForwardBacklogRepository } from '@app/database';
import { registry } from '@app/metrics';
import { withTimeout } from '@app/timeouts';
import { ForwardDestinations } from './forward-destinations.js';

const NAME = 'square_forward_backlog';
const SCRAPE_TIMEOUT_MS = 1000;

/**
 * square_forward_backlog: deliveries not yet delivered nor dead-lettered, per destination, read from
 * Postgres when /metrics is scraped (the truth, including jobs still in the outbox).
 */
@Injectable()
export class ForwardBacklogCollector implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly destinations: ForwardDestinations,
    private readonly deliveries: ForwardBacklogRepository,
  ) {}

  onModuleInit(): void {
    const { destinations, deliveries } = this;
    registry.removeSingleMetric(NAME); // one per process (the tests start several apps in one)
    new Gauge({
      name: NAME,
      help: 'Pending deliveries per forwarding destination (read from Postgres at scrape time)',
      labelNames: ['destination'] as const,
      registers: [registry],
      async collect() {
        // A slow Postgres must not hang the scrape; absent series mean unknown, not 0.
        const names = destinations.names();
        const rows = await withTimeout(deliveries.backlog(names), SCRAPE_TIMEOUT_MS).catch(() => undefined);
        this.reset();
        if (!rows) return;
        for (const name of names)
          this.set({ destination: name }, rows.find((r) => r.destination === name)?.pending ?? 0);
      },
    });
  }

  onModuleDestroy(): void {
    registry.removeSingleMetric(NAME);
  }
}

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { QUEUES } from '@app/queue';
import { withTimeout } from '@app/timeouts';
import { registry } from '@app/metrics';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
const SCRAPE_TIMEOUT_MS = 1000;
const NAME = 'square_queue_jobs';

/**
 * square_queue_jobs, read from Redis when /metrics is scraped (nothing is polled otherwise). The
 * worker owns it: it registers the gauge itself, on the queues it has.
 */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit, OnModuleDestroy {
  constructor(
    @InjectQueue(QUEUES.squareEvents) private readonly events: Queue,
    @InjectQueue(QUEUES.deadLetter) private readonly deadLetters: Queue,
  ) {}

  onModuleInit(): void {
    const queues = [this.events, this.deadLetters];
    // One per process: a second app in the same process (the tests start several) takes it over.
    registry.removeSingleMetric(NAME);
    new Gauge({
      name: NAME,
      help: 'Jobs per queue and state, read from Redis at scrape time (the dead-letter queue lists dead-lettered events)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(queues.map((queue) => collectCounts(queue, this)));
      },
    });
  }

  onModuleDestroy(): void {
    registry.removeSingleMetric(NAME);
  }
}

/** A dead Redis must not hang the scrape: give up after a second; absent series mean unknown, not 0. */
async function collectCounts(queue: Queue, gauge: Gauge<'queue' | 'state'>): Promise<void> {
  const counts = await withTimeout(queue.getJobCounts(...STATES), SCRAPE_TIMEOUT_MS).catch(() => undefined);
  if (!counts) return;
  for (const state of STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
}

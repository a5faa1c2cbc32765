import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { withTimeout } from '@app/timeouts';
import { QUEUES } from '@app/queue';
import type { Gauge } from 'prom-client';
import { setQueueJobsSource } from './metrics.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
const SCRAPE_TIMEOUT_MS = 1000;

/** Fills square_queue_jobs from Redis when /metrics is scraped (nothing is polled otherwise). */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    @InjectQueue(QUEUES.squareEvents) private readonly events: Queue,
    @InjectQueue(QUEUES.deadLetter) private readonly deadLetters: Queue,
  ) {}

  onModuleInit(): void {
    const queues = [this.events, this.deadLetters];
    setQueueJobsSource(async (gauge) => {
      await Promise.all(queues.map((queue) => this.collect(queue, gauge)));
    });
  }

  /** A dead Redis must not hang the scrape: give up after a second. */
  private async collect(queue: Queue, gauge: Gauge<'queue' | 'state'>): Promise<void> {
    const counts = await withTimeout(queue.getJobCounts(...STATES), SCRAPE_TIMEOUT_MS).catch(() => undefined);
    if (!counts) return; // series absent = unknown, rather than a misleading 0
    for (const state of STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
  }
}

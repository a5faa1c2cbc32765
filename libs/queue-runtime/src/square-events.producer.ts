import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { withTimeout } from '@app/timeouts';
import { QueueConfig } from '@app/config';
import { JOBS, QUEUES, jobIdForEvent, type EventJobRef, type SquareEventJob } from '@app/queue';
import { squareEventJobOptions } from './job-options.js';
import type { RedisClient } from './redis-connection.js';

/** The producer's own Redis connection (ioredis: one Redis or a Cluster), shared by its queues. */
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');

/** What the sweep found in the queue for an event that stayed 'received'. */
export type QueuedState =
  { state: 'enqueued' | 'present' } | { state: 'failed'; failedReason: string; attemptsMade: number };

/**
 * Adds process-event jobs: the relay (events written to the job outbox) and the sweep (jobs lost in
 * Redis). Nothing on the ingress's ack path calls Redis.
 */
@Injectable()
export class SquareEventsProducer implements OnApplicationShutdown {
  constructor(
    @InjectQueue(QUEUES.squareEvents)
    private readonly queue: Queue<SquareEventJob['data'], unknown, SquareEventJob['name']>,
    @Inject(PRODUCER_REDIS) private readonly redis: RedisClient,
    private readonly config: QueueConfig,
  ) {}

  /** One round trip for many jobs; a job whose id is already in the queue is left as it is. */
  async addEvents(events: readonly EventJobRef[]): Promise<void> {
    await this.queue.addBulk(
      events.map(({ eventId, generation }) => ({
        name: JOBS.processEvent,
        data: { eventId },
        opts: squareEventJobOptions(this.config, eventId, generation),
      })),
    );
  }

  /**
   * Used by the sweep: enqueues the event unless its job is still in the queue. A job that
   * failed for good is reported, so the caller can dead-letter an event whose failure was not
   * recorded (Postgres was down at that moment).
   */
  async ensureQueued(event: EventJobRef): Promise<QueuedState> {
    const job = await this.queue.getJob(jobIdForEvent(event.eventId, event.generation));
    if (job && (await job.isFailed())) {
      return { state: 'failed', failedReason: job.failedReason ?? 'failed', attemptsMade: job.attemptsMade };
    }
    if (job) return { state: 'present' };
    await this.addEvents([event]);
    return { state: 'enqueued' };
  }

  /**
   * Calls `listener` each time the connection may serve again: a reconnect (one Redis, or the master
   * the sentinels name), or for a cluster each slot map read (the promoted replica of a lost master
   * is found by one). The relay retries then instead of at the end of its backoff (up to 10 s).
   */
  onUsable(listener: () => void): void {
    this.redis.on('ready', listener);
    if (this.redis instanceof Cluster) this.redis.on('refresh', listener);
  }

  /** Closes the queue (giving up after 1 s: a dead Redis never answers), then the connection. */
  async onApplicationShutdown(): Promise<void> {
    await withTimeout(this.queue.close(), 1000).catch(() => undefined);
    this.redis.disconnect();
  }
}

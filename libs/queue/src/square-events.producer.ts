import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { MicroBatcher, withTimeout } from '@app/batching';
import type { Redis } from 'ioredis';
import { QueueConfig } from '@app/config';
import { errorMessage } from '@app/observability';
import { JOBS, QUEUES, SquareEventJob, jobIdForEvent, squareEventJobOptions } from './queues.js';

/** The producer's own Redis connection (ioredis), shared by its queue. */
export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');

export type EnqueueResult = 'enqueued' | 'failed';

/** What the sweep found in the queue for an event that stayed 'received'. */
export type QueuedState =
  | { state: 'enqueued' | 'present' }
  | { state: 'failed'; failedReason: string; attemptsMade: number };

/** The event's job is being processed right now; it cannot be replaced. */
export class JobActiveError extends Error {}

/**
 * Adds process-event jobs. Used on the ingress ack path, so it never waits long: when Redis is
 * down or slow the event is already safe in Postgres and the worker's sweep enqueues it later.
 */
@Injectable()
export class SquareEventsProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(SquareEventsProducer.name);
  private lastErrorLogAt = 0;
  /** Enqueues of concurrent requests share one round trip (BullMQ addBulk), one batch at a time. */
  private readonly batcher = new MicroBatcher<string, void>({
    handle: async (eventIds) => {
      await this.queue.addBulk(eventIds.map((eventId) => ({ name: JOBS.processEvent, data: { eventId }, opts: squareEventJobOptions(this.config, eventId) })));
      return eventIds.map(() => undefined);
    },
    maxInFlight: 1,
    maxBatchSize: 200,
    maxQueued: 10_000,
  });

  constructor(
    @InjectQueue(QUEUES.squareEvents)
    private readonly queue: Queue<SquareEventJob['data'], unknown, SquareEventJob['name']>,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly config: QueueConfig,
  ) {
    // Without a listener an 'error' event (Redis down) would crash the process.
    this.redis.on('error', (err: Error) => this.logThrottled(`redis connection error: ${err.message}`));
  }

  async enqueue(eventId: string, timeoutMs: number): Promise<EnqueueResult> {
    if (this.redis.status !== 'ready') {
      // BullMQ would wait for the connection; the sweep will enqueue the event instead.
      this.warnNotEnqueued(eventId, `redis is ${this.redis.status}`);
      return 'failed';
    }
    try {
      await withTimeout(this.batcher.submit(eventId), timeoutMs);
      return 'enqueued';
    } catch (err) {
      this.warnNotEnqueued(eventId, errorMessage(err));
      return 'failed';
    }
  }

  /**
   * Used by the sweep: enqueues the event unless its job is still in the queue. A job that
   * failed for good is reported, so the caller can dead-letter an event whose failure was not
   * recorded (Postgres was down at that moment).
   */
  async ensureQueued(eventId: string): Promise<QueuedState> {
    const job = await this.queue.getJob(jobIdForEvent(eventId));
    if (job && (await job.isFailed())) {
      return { state: 'failed', failedReason: job.failedReason ?? 'failed', attemptsMade: job.attemptsMade };
    }
    if (job) return { state: 'present' };
    await this.queue.add(JOBS.processEvent, { eventId }, squareEventJobOptions(this.config, eventId));
    return { state: 'enqueued' };
  }

  /** Used by replay: replaces whatever job the event had (a failed one) by a fresh job. */
  async requeue(eventId: string): Promise<void> {
    const job = await this.queue.getJob(jobIdForEvent(eventId));
    if (job) {
      if (await job.isActive()) throw new JobActiveError(`event ${eventId} is being processed right now`);
      await job.remove();
    }
    await this.queue.add(JOBS.processEvent, { eventId }, squareEventJobOptions(this.config, eventId));
  }

  /** Closes the queue (giving up after 1 s: a dead Redis never answers), then the connection. */
  async onApplicationShutdown(): Promise<void> {
    await withTimeout(this.queue.close(), 1000).catch(() => undefined);
    this.redis.disconnect();
  }

  private warnNotEnqueued(eventId: string, reason: string): void {
    this.logger.warn('event stored but not enqueued; the worker sweep will enqueue it', { eventId, reason });
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn(message);
  }
}

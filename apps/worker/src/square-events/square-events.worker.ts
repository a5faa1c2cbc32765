import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Worker } from 'bullmq';
import { QueueConfig, RedisConfig, WorkerConfig } from '@app/config';
import { TimeoutError, withTimeout } from '@app/batching';
import { errorMessage } from '@app/observability';
import { QUEUES, SquareEventJob, retryDelayMs } from '@app/queue';
import { ProcessOutcome } from './process-square-event.use-case.js';
import { SquareEventProcessor } from './square-event.processor.js';

/**
 * Runs the BullMQ Worker of square-events. Built here, not with @nestjs/bullmq's @Processor,
 * because its options (concurrency, lock duration) come from configuration and a decorator's
 * arguments are fixed at import time; and because shutdown must be bounded: on SIGTERM active
 * jobs get WORKER_SHUTDOWN_TIMEOUT_MS to finish, then the worker stops anyway (their locks
 * expire and another worker takes them over; the claim keeps the effect exactly-once).
 */
@Injectable()
export class SquareEventsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SquareEventsWorker.name);
  private worker: Worker<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']> | undefined;

  constructor(
    private readonly processor: SquareEventProcessor,
    private readonly redis: RedisConfig,
    private readonly queue: QueueConfig,
    private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QUEUES.squareEvents, (job) => this.processor.process(job), {
      connection: { url: this.redis.url, maxRetriesPerRequest: null },
      prefix: this.queue.prefix,
      concurrency: this.config.concurrency,
      lockDuration: this.config.jobLockMs,
      stalledInterval: this.config.jobLockMs,
      // A job whose worker died mid-way is retried; one that keeps killing workers fails (and the sweep dead-letters it).
      maxStalledCount: 3,
      settings: {
        // The base delay the job was enqueued with (squareEventJobOptions), else our own.
        backoffStrategy: (attemptsMade, _type, err, job) => {
          const backoff = job?.opts.backoff;
          const baseMs = typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : this.queue.jobBackoffMs;
          return retryDelayMs(attemptsMade, baseMs, err);
        },
      },
    });
    this.worker.on('error', (err) => this.logger.error('worker error', { error: errorMessage(err) }));
    this.logger.log('processing square-events', { concurrency: this.config.concurrency });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const finished = await withTimeout(worker.close(), this.config.shutdownTimeoutMs).then(
      () => true,
      (err: unknown) => {
        if (err instanceof TimeoutError) return false;
        throw err;
      },
    );
    if (!finished) {
      this.logger.warn('active jobs did not finish in time; stopping anyway (they will be picked up again)');
      await worker.close(true);
    }
  }
}

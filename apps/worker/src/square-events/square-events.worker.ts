import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueConfig, WorkerConfig } from '@app/config';
import { EventTraceRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { QUEUES, RedisConnectionReport, SquareEventJob, retryDelayMs } from '@app/queue';
import { traceAttempt } from '@app/tracing';
import { ActiveJobs, closeWorker } from '../bullmq/active-jobs.js';
import { ProcessOutcome } from './process-square-event.use-case.js';
import { SquareEventProcessor } from './square-event.processor.js';

// How often a worker looks for jobs whose worker died (their lock expired). A job is taken over
// JOB_LOCK_MS after its last lock renewal plus up to two of these checks (one marks it, the next
// moves it); BullMQ's default (= the lock duration) made that ~65 s with a 30 s lock.
const STALLED_CHECK_MS = 5000;

/**
 * Runs the BullMQ Worker of square-events. Built here, not with @nestjs/bullmq's @Processor,
 * because its options (concurrency, lock duration) come from configuration and a decorator's
 * arguments are fixed at import time; and because shutdown must be bounded: on SIGTERM active
 * jobs get WORKER_SHUTDOWN_TIMEOUT_MS to finish, then the worker stops anyway (their locks
 * expire and another worker takes them over; the claim keeps the effect exactly-once). With no
 * active job it stops at once.
 */
@Injectable()
export class SquareEventsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SquareEventsWorker.name);
  private worker: Worker<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']> | undefined;
  private connection: Redis | undefined;
  private readonly active = new ActiveJobs();

  constructor(
    private readonly processor: SquareEventProcessor,
    private readonly connections: RedisConnectionReport,
    private readonly queue: QueueConfig,
    private readonly config: WorkerConfig,
    private readonly traces: EventTraceRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QUEUES.squareEvents, (job) => this.active.track(this.attempt(job)), {
      // Ours, so that its failures are reported once (and so that shutdown can always drop it).
      connection: (this.connection = this.connections.connect({ maxRetriesPerRequest: null })),
      prefix: this.queue.prefix,
      concurrency: this.config.concurrency,
      lockDuration: this.config.jobLockMs,
      stalledInterval: Math.min(STALLED_CHECK_MS, this.config.jobLockMs),
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
    this.worker.on('error', (err) => {
      if (this.connections.isConnectionError(err)) this.connections.failed(err);
      else this.logger.error('worker error', { error: errorMessage(err) });
    });
    this.logger.log('processing square-events', { concurrency: this.config.concurrency });
  }

  /** One attempt, in a `process` span under the event's capture span when tracing is on (docs/TRACING.md). */
  private attempt(job: Parameters<SquareEventProcessor['process']>[0]): Promise<ProcessOutcome> {
    const { eventId } = job.data;
    // The processor throws UnrecoverableError once it dead-lettered the event; anything else is retried.
    const failedAs = (err: unknown) => (err instanceof UnrecoverableError ? 'dead_lettered' : 'retry');
    return traceAttempt(eventId, job.attemptsMade + 1, () => this.traces.find(eventId), () => this.processor.process(job), failedAs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.worker) await closeWorker(this.worker, this.active, this.config.shutdownTimeoutMs, this.logger, this.connection);
  }
}

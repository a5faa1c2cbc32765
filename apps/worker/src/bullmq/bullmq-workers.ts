import { Injectable, type Logger } from '@nestjs/common';
import { Worker, type Job, type MinimalJob, type WorkerOptions } from 'bullmq';
import { QueueConfig, WorkerConfig } from '@app/config';
import { errorMessage } from '@app/observability';
import { queuePrefix } from '@app/queue';
import { RedisConnectionReport, type RedisClient } from '@app/queue-runtime';
import { ActiveJobs, closeWorker } from './active-jobs.js';

// How often a worker looks for jobs whose worker died (their lock expired). A job is taken over
// JOB_LOCK_MS after its last lock renewal plus up to two of these checks (one marks it, the next
// moves it); BullMQ's default (= the lock duration) made that ~65 s with a 30 s lock.
const STALLED_CHECK_MS = 5000;
// A job whose worker died mid-way is retried; one that keeps killing workers fails (and is dead-lettered).
const MAX_STALLED = 3;

/** What differs between our workers; everything else is the same for all (see create). */
export interface BullWorkerOptions {
  concurrency: number;
  /** Delay before the next attempt of a job that threw `err`. */
  backoff: (attemptsMade: number, err: Error | undefined, job: MinimalJob | undefined) => number;
  /** Longer than JOB_LOCK_MS when a job may take longer (a destination's timeout). */
  lockDurationMs?: number;
  limiter?: WorkerOptions['limiter'];
  maximumRateLimitDelay?: number;
  logger: Logger;
  /** The error line's message and fields, for errors other than a lost connection. */
  errorLine: { message: string; fields?: Record<string, unknown> };
}

/** A BullMQ worker with its own connection and count of active jobs; `close` is bounded. */
export interface BullWorker<D, R, N extends string> {
  readonly worker: Worker<D, R, N>;
  close(): Promise<void>;
}

/**
 * The one way the worker app builds a BullMQ Worker (square-events and every forward-<name>).
 * Built by hand, not with @nestjs/bullmq's @Processor, because the options come from configuration
 * (a decorator's arguments are fixed at import time) and because shutdown must be bounded: on
 * SIGTERM active jobs get WORKER_SHUTDOWN_TIMEOUT_MS to finish, then the worker stops anyway
 * (their locks expire and another worker takes them over). Each worker has a connection of its
 * own, reported through RedisConnectionReport, so that a lost Redis is said once.
 */
@Injectable()
export class BullWorkers {
  constructor(
    private readonly connections: RedisConnectionReport,
    private readonly queue: QueueConfig,
    private readonly config: WorkerConfig,
  ) {}

  create<D, R, N extends string>(
    queueName: string,
    process: (job: Job<D, R, N>, token: string | undefined) => Promise<R>,
    options: BullWorkerOptions,
  ): BullWorker<D, R, N> {
    const active = new ActiveJobs();
    const connection: RedisClient = this.connections.connect({ maxRetriesPerRequest: null });
    const worker = new Worker<D, R, N>(queueName, (job, token) => active.track(process(job, token)), {
      connection,
      // Hash-tagged per queue in a Redis Cluster (queuePrefix).
      prefix: queuePrefix(this.queue, queueName),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? this.config.jobLockMs,
      stalledInterval: Math.min(STALLED_CHECK_MS, this.config.jobLockMs),
      maxStalledCount: MAX_STALLED,
      ...(options.limiter ? { limiter: options.limiter } : {}),
      ...(options.maximumRateLimitDelay !== undefined ? { maximumRateLimitDelay: options.maximumRateLimitDelay } : {}),
      settings: { backoffStrategy: (attemptsMade, _type, err, job) => options.backoff(attemptsMade, err, job) },
    });
    worker.on('error', (err) => {
      if (this.connections.isConnectionError(err)) this.connections.failed(err);
      else options.logger.error(options.errorLine.message, { ...options.errorLine.fields, error: errorMessage(err) });
    });
    return {
      worker,
      close: () => closeWorker(worker, active, this.config.shutdownTimeoutMs, options.logger, connection),
    };
  }
}

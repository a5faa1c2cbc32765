import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DESTINATIONS, ForwardingConfig, QueueConfig, WorkerConfig, type Destination } from '@app/config';
import { errorMessage } from '@app/observability';
import { RedisConnectionReport, forwardQueue, retryDelayMs, type ForwardJob } from '@app/queue';
import { ActiveJobs, closeWorker } from '../bullmq/active-jobs.js';
import { DeliverUseCase, RetryDelivery, type DeliveryOutcome } from './deliver.use-case.js';

const STALLED_CHECK_MS = 5000;
// BullMQ's limiter is also what holds a failing destination off (DeliverUseCase); without a
// maxPerSecond it is set high enough never to limit.
const UNLIMITED_PER_SECOND = 1_000_000;

interface Running {
  worker: Worker<ForwardJob['data'], DeliveryOutcome, ForwardJob['name']>;
  connection: Redis;
  active: ActiveJobs;
}

/**
 * One BullMQ worker per destination (queue forward-<name>), each with the destination's own
 * concurrency and rate: a slow or failing destination holds up only its own queue.
 */
@Injectable()
export class ForwardWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ForwardWorkers.name);
  private readonly running: Running[] = [];

  constructor(
    @Inject(DESTINATIONS) private readonly destinations: readonly Destination[],
    private readonly deliver: DeliverUseCase,
    private readonly connections: RedisConnectionReport,
    private readonly queue: QueueConfig,
    private readonly workerConfig: WorkerConfig,
    private readonly forwarding: ForwardingConfig,
  ) {}

  onApplicationBootstrap(): void {
    for (const destination of this.destinations) this.running.push(this.start(destination));
    if (this.destinations.length > 0) this.logger.log('forwarding', { destinations: this.destinations.map((d) => d.name) });
  }

  private start(destination: Destination): Running {
    const active = new ActiveJobs();
    const connection = this.connections.connect({ maxRetriesPerRequest: null });
    const worker: Running['worker'] = new Worker(forwardQueue(destination.name), (job) => active.track(this.deliver.execute(destination, job.data.deliveryId)), {
      connection,
      prefix: this.queue.prefix,
      concurrency: destination.maxConcurrency,
      limiter: limiterOf(destination),
      // A request may take the destination's whole timeout: the lock must outlast it.
      lockDuration: Math.max(this.workerConfig.jobLockMs, 2 * destination.timeoutMs),
      stalledInterval: Math.min(STALLED_CHECK_MS, this.workerConfig.jobLockMs),
      maxStalledCount: 3,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          err instanceof RetryDelivery ? err.delayMs : retryDelayMs(attemptsMade, this.forwarding.backoffMs, err, Math.random, this.forwarding.maxBackoffMs),
      },
    });
    worker.on('error', (err) => {
      if (this.connections.isConnectionError(err)) this.connections.failed(err);
      else this.logger.error('forward worker error', { destination: destination.name, error: errorMessage(err) });
    });
    worker.on('failed', (job, err) => {
      // A failed attempt is counted and recorded (DeliverUseCase); anything else is worth a line.
      if (!(err instanceof RetryDelivery) && !(err instanceof UnrecoverableError)) {
        this.logger.warn('delivery job failed; will retry', { destination: destination.name, deliveryId: job?.data.deliveryId, error: errorMessage(err) });
      }
    });
    return { worker, connection, active };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.map((r) => closeWorker(r.worker, r.active, this.workerConfig.shutdownTimeoutMs, this.logger, r.connection)));
  }
}

/** maxPerSecond as BullMQ's limiter (whole jobs per duration: 0.5/s is 1 per 2 s). */
function limiterOf(destination: Destination): { max: number; duration: number } {
  if (destination.maxPerSecond === undefined) return { max: UNLIMITED_PER_SECOND, duration: 1000 };
  const max = Math.max(1, Math.round(destination.maxPerSecond));
  return { max, duration: Math.round((1000 * max) / destination.maxPerSecond) };
}

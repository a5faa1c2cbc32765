import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, RateLimitError, UnrecoverableError, type Job } from 'bullmq';
import { ForwardingConfig, WorkerConfig, type Destination } from '@app/config';
import { errorMessage } from '@app/observability';
import { forwardQueue, retryDelayMs, type ForwardJob } from '@app/queue';
import { BullWorkers, type BullWorker } from '../bullmq/bullmq-workers.js';
import { DeliverUseCase, RetryDelivery, type DeliveryOutcome } from './deliver.use-case.js';
import { ForwardDestinations, type DestinationChanges } from './forward-destinations.js';
import { ForwardQueues } from './forward-queues.js';

// BullMQ's limiter is also what holds a paused or failing destination's queue (DeliverUseCase);
// without a maxPerSecond it is set high enough never to limit.
const UNLIMITED_PER_SECOND = 1_000_000;
// A held queue is looked at again this often, so that a release (removeRateLimitKey) by any
// process is seen within it.
const HOLD_CHECK_MS = 1000;

interface Running {
  bull: BullWorker<ForwardJob['data'], DeliveryOutcome, ForwardJob['name']>;
  destination: Destination;
}

/**
 * One BullMQ worker per destination (queue forward-<name>), each with the destination's own
 * concurrency and rate: a slow or failing destination holds up only its own queue. A reload of the
 * destinations file starts, stops and changes them while the worker runs.
 */
@Injectable()
export class ForwardWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ForwardWorkers.name);
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly destinations: ForwardDestinations,
    private readonly queues: ForwardQueues,
    private readonly deliver: DeliverUseCase,
    private readonly workers: BullWorkers,
    private readonly workerConfig: WorkerConfig,
    private readonly forwarding: ForwardingConfig,
  ) {
    destinations.onChange((changes) => this.apply(changes));
  }

  onApplicationBootstrap(): void {
    for (const destination of this.destinations.all()) this.start(destination);
    if (this.running.size > 0) this.logger.log('forwarding', { destinations: this.destinations.names() });
  }

  /** Added destinations start; removed ones stop (their deliveries stay pending); changed ones apply at once. */
  private async apply({ added, removed, changed }: DestinationChanges): Promise<void> {
    for (const d of added) this.start(d);
    await Promise.all(removed.map((d) => this.stop(d.name)));
    for (const d of changed) {
      const running = this.running.get(d.name);
      // URL, secret, timeout and filters are read per job; concurrency is BullMQ's to change live,
      // the rate limit and the lock duration are not.
      if (
        running &&
        d.maxPerSecond === running.destination.maxPerSecond &&
        d.timeoutMs === running.destination.timeoutMs
      ) {
        running.bull.worker.concurrency = d.maxConcurrency;
        running.destination = d;
      } else {
        await this.stop(d.name);
        this.start(d);
      }
    }
  }

  private start(destination: Destination): void {
    const bull: Running['bull'] = this.workers.create(
      forwardQueue(destination.name),
      (job, token) => this.process(destination.name, job, token),
      {
        concurrency: destination.maxConcurrency,
        limiter: limiterOf(destination),
        maximumRateLimitDelay: HOLD_CHECK_MS,
        // A request may take the destination's whole timeout: the lock must outlast it.
        lockDurationMs: Math.max(this.workerConfig.jobLockMs, 2 * destination.timeoutMs),
        backoff: (attemptsMade, err) =>
          err instanceof RetryDelivery
            ? err.delayMs
            : retryDelayMs(attemptsMade, this.forwarding.backoffMs, err, Math.random, this.forwarding.maxBackoffMs),
        logger: this.logger,
        errorLine: { message: 'forward worker error', fields: { destination: destination.name } },
      },
    );
    bull.worker.on('failed', (job, err) => {
      // A failed attempt is counted and recorded (DeliverUseCase); anything else is worth a line.
      if (!(err instanceof RetryDelivery) && !(err instanceof UnrecoverableError)) {
        this.logger.warn('delivery job failed; will retry', {
          destination: destination.name,
          deliveryId: job?.data.deliveryId,
          error: errorMessage(err),
        });
      }
    });
    this.running.set(destination.name, { bull, destination });
  }

  /** One job: the destination as the file says now; a hold puts the job back without an attempt. */
  private async process(
    name: string,
    job: Job<ForwardJob['data'], DeliveryOutcome, ForwardJob['name']>,
    token: string | undefined,
  ): Promise<DeliveryOutcome> {
    const destination = this.destinations.get(name);
    if (!destination) throw new RateLimitError(); // removed meanwhile: left waiting
    const outcome = await this.deliver.execute(destination, job.data.deliveryId);
    if (typeof outcome === 'string') return outcome;
    if (outcome.hold === 'delivery') {
      await job.moveToDelayed(outcome.untilMs, token);
      throw new DelayedError();
    }
    // The whole queue waits, in every worker, until then (or until released): set, never pushed on by each job.
    await this.queues.of(name)?.rateLimit(Math.max(1, outcome.untilMs - Date.now()));
    throw new RateLimitError();
  }

  private async stop(name: string): Promise<void> {
    const running = this.running.get(name);
    if (!running) return;
    this.running.delete(name);
    await running.bull.close();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
  }
}

/** maxPerSecond as BullMQ's limiter (whole jobs per duration: 0.5/s is 1 per 2 s). */
function limiterOf(destination: Destination): { max: number; duration: number } {
  if (destination.maxPerSecond === undefined) return { max: UNLIMITED_PER_SECOND, duration: 1000 };
  const max = Math.max(1, Math.round(destination.maxPerSecond));
  return { max, duration: Math.round((1000 * max) / destination.maxPerSecond) };
}

import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { QueueConfig, WorkerConfig } from '@app/config';
import { EventTraceRepository } from '@app/database';
import { QUEUES, SquareEventJob, retryDelayMs } from '@app/queue';
import { traceAttempt } from '@app/tracing';
import { BullWorkers, type BullWorker } from '../bullmq/bullmq-workers.js';
import { ProcessOutcome } from './process-square-event.use-case.js';
import { SquareEventProcessor } from './square-event.processor.js';

/**
 * Runs the BullMQ Worker of square-events (built by BullWorkers, as the forward workers are), with
 * WORKER_CONCURRENCY and JOB_LOCK_MS. With no active job it stops at once; the claim keeps an
 * event's effect exactly-once when another worker takes over a job whose lock expired.
 */
@Injectable()
export class SquareEventsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SquareEventsWorker.name);
  private worker: BullWorker<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']> | undefined;

  constructor(
    private readonly processor: SquareEventProcessor,
    private readonly workers: BullWorkers,
    private readonly queue: QueueConfig,
    private readonly config: WorkerConfig,
    private readonly traces: EventTraceRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = this.workers.create<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']>(
      QUEUES.squareEvents,
      (job) => this.attempt(job),
      {
        concurrency: this.config.concurrency,
        // The base delay the job was enqueued with (squareEventJobOptions), else our own.
        backoff: (attemptsMade, err, job) => {
          const backoff = job?.opts.backoff;
          const baseMs =
            typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : this.queue.jobBackoffMs;
          return retryDelayMs(attemptsMade, baseMs, err);
        },
        logger: this.logger,
        errorLine: { message: 'worker error' },
      },
    );
    this.logger.log('processing square-events', { concurrency: this.config.concurrency });
  }

  /** One attempt, in a `process` span under the event's capture span when tracing is on (docs/TRACING.md). */
  private attempt(job: Parameters<SquareEventProcessor['process']>[0]): Promise<ProcessOutcome> {
    const { eventId } = job.data;
    // The processor throws UnrecoverableError once it dead-lettered the event; anything else is retried.
    const failedAs = (err: unknown) => (err instanceof UnrecoverableError ? 'dead_lettered' : 'retry');
    return traceAttempt(
      eventId,
      job.attemptsMade + 1,
      () => this.traces.find(eventId),
      () => this.processor.process(job),
      failedAs,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}

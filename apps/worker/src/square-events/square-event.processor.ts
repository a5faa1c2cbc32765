import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { EventAttemptsRepository } from '@app/database';
import { eventProcessingSeconds, eventTypeLabel, eventsProcessed } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { JOBS, SquareEventJob } from '@app/queue';
import { DeadLetterUseCase } from './dead-letter.use-case.js';
import { classifyFailure } from './failure-policy.js';
import { AttemptFailedError } from './attempt-errors.js';
import { ProcessOutcome, ProcessSquareEventUseCase } from './process-square-event.use-case.js';

export type SquareEventJobInstance = Job<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']>;
/** What the processor reads of a job (a spec's job implements exactly this). */
export type ProcessableJob = Pick<SquareEventJobInstance, 'name' | 'data' | 'attemptsMade' | 'opts'>;

/** What the processor needs of its collaborators (a spec's fakes implement exactly these). */
export type EventProcessing = Pick<ProcessSquareEventUseCase, 'execute'>;
export type DeadLettering = Pick<DeadLetterUseCase, 'execute'>;
export type AttemptRecording = Pick<EventAttemptsRepository, 'record' | 'recordRetry'>;

/**
 * Thin: picks the use case by job name and decides what a failure means. On the last attempt, or
 * at once for a permanent failure, the event is dead-lettered before the job fails, inside the
 * job's lock, so a crash cannot lose the decision (the sweep also catches a job failed for good).
 */
@Injectable()
export class SquareEventProcessor {
  private readonly logger = new Logger(SquareEventProcessor.name);

  constructor(
    @Inject(ProcessSquareEventUseCase) private readonly processEvent: EventProcessing,
    @Inject(DeadLetterUseCase) private readonly deadLetter: DeadLettering,
    @Inject(EventAttemptsRepository) private readonly attempts: AttemptRecording,
  ) {}

  async process(job: ProcessableJob): Promise<ProcessOutcome> {
    switch (job.name) {
      case JOBS.processEvent:
        return this.handle(job);
      default:
        throw new UnrecoverableError(`unknown job name ${String(job.name)}`);
    }
  }

  private async handle(job: ProcessableJob): Promise<ProcessOutcome> {
    const { eventId } = job.data;
    const attempt = job.attemptsMade + 1;
    const startedAt = new Date();
    const started = performance.now();
    const done = (eventType: string, outcome: string) => {
      const ms = performance.now() - started;
      const labels = { event_type: eventTypeLabel(eventType), outcome };
      eventsProcessed.inc(labels);
      eventProcessingSeconds.observe(labels, ms / 1000);
      return { eventId, eventType, outcome, attempt, ms: Math.round(ms) };
    };
    let failed: AttemptFailedError;
    try {
      // The use case records the attempt itself (in the event's transaction when it opens one).
      const { outcome, eventType } = await this.processEvent.execute(eventId, attempt);
      this.logger.log('job done', done(eventType, outcome));
      return outcome;
    } catch (err) {
      failed = err instanceof AttemptFailedError ? err : new AttemptFailedError(err, 'unknown', []);
    }
    const failure = classifyFailure(failed.error);
    const error = errorMessage(failed.error);
    const attemptRecord = (outcome: string, durationMs: number) => ({
      eventId,
      attempt,
      startedAt,
      durationMs,
      outcome,
      error,
      handlers: failed.handlers,
    });
    if (failure.permanent || attempt >= (job.opts.attempts ?? 1)) {
      await this.deadLetter.execute(eventId, { reason: failure.reason, error, attempts: attempt });
      const fields = done(failed.eventType, 'dead_lettered');
      this.logger.warn('job failed for good', { ...fields, error });
      // After the dead letter: failing to record the attempt changes nothing of it (the console shows one row fewer).
      await this.attempts
        .record(attemptRecord('dead_lettered', fields.ms))
        .catch((err: unknown) => this.unrecorded(eventId, attempt, err));
      throw new UnrecoverableError(error);
    }
    const fields = done(failed.eventType, 'retry');
    this.logger.warn('job failed; will retry', { ...fields, error });
    // The event's attempts and last error, and the attempt's row, in one statement.
    await this.attempts
      .recordRetry(attemptRecord('retry', fields.ms))
      .catch((err: unknown) => this.unrecorded(eventId, attempt, err));
    throw failed.error;
  }

  private unrecorded(eventId: string, attempt: number, err: unknown): void {
    this.logger.warn('could not record the attempt', { eventId, attempt, error: errorMessage(err) });
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { EventAttemptsRepository, EventStatusRepository } from '@app/database';
import { eventProcessingSeconds, eventTypeLabel, eventsProcessed } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { JOBS, SquareEventJob } from '@app/queue';
import { DeadLetterUseCase } from './dead-letter.use-case.js';
import { classifyFailure } from './failure-policy.js';
import { ProcessContext, ProcessOutcome, ProcessSquareEventUseCase } from './process-square-event.use-case.js';

export type SquareEventJobInstance = Job<SquareEventJob['data'], ProcessOutcome, SquareEventJob['name']>;
/** What the processor reads of a job (a spec's job implements exactly this). */
export type ProcessableJob = Pick<SquareEventJobInstance, 'name' | 'data' | 'attemptsMade' | 'opts'>;

/** What the processor needs of its collaborators (a spec's fakes implement exactly these). */
export type EventProcessing = Pick<ProcessSquareEventUseCase, 'execute'>;
export type DeadLettering = Pick<DeadLetterUseCase, 'execute'>;
export type FailureRecording = Pick<EventStatusRepository, 'recordFailure'>;
export type AttemptRecording = Pick<EventAttemptsRepository, 'record'>;

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
    @Inject(EventStatusRepository) private readonly events: FailureRecording,
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
    const context: ProcessContext = { eventType: 'unknown', attempt, handlers: [] };
    const startedAt = new Date();
    const started = performance.now();
    const done = (outcome: string) => {
      const ms = performance.now() - started;
      const labels = { event_type: eventTypeLabel(context.eventType), outcome };
      eventsProcessed.inc(labels);
      eventProcessingSeconds.observe(labels, ms / 1000);
      return { eventId, eventType: context.eventType, outcome, attempt, ms: Math.round(ms) };
    };
    // After the apply transaction committed or rolled back: one insert, and a failure to record
    // never changes what the attempt did (the console shows one row fewer).
    const record = async (outcome: string, ms: number, error: string | null) =>
      this.attempts.record({ eventId, attempt, startedAt, durationMs: ms, outcome, error, handlers: context.handlers }).catch((err: unknown) => {
        this.logger.warn('could not record the attempt', { eventId, attempt, error: errorMessage(err) });
      });
    try {
      const outcome = await this.processEvent.execute(eventId, context);
      const fields = done(outcome);
      this.logger.log('job done', fields);
      await record(outcome, fields.ms, null);
      return outcome;
    } catch (err) {
      const failure = classifyFailure(err);
      const error = errorMessage(err);
      if (failure.permanent || attempt >= (job.opts.attempts ?? 1)) {
        await this.deadLetter.execute(eventId, { reason: failure.reason, error, attempts: attempt });
        const fields = done('dead_lettered');
        this.logger.warn('job failed for good', { ...fields, error });
        await record('dead_lettered', fields.ms, error);
        throw new UnrecoverableError(error);
      }
      const fields = done('retry');
      this.logger.warn('job failed; will retry', { ...fields, error });
      await this.events.recordFailure(eventId, attempt, error).catch(() => undefined);
      await record('retry', fields.ms, error);
      throw err;
    }
  }
}

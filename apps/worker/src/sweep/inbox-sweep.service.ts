import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WorkerConfig } from '@app/config';
import { EventStatusRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { SquareEventsProducer } from '@app/queue';
import { DeadLetterUseCase } from '../square-events/dead-letter.use-case.js';

const BATCH = 500;

export interface SweepResult {
  candidates: number;
  enqueued: number;
  deadLettered: number;
}

/**
 * Self-healing: an event still 'received' long after it arrived has probably lost its job (Redis
 * restarted without persistence after the relay had enqueued it). The sweep re-enqueues it;
 * the job id makes that a no-op when the job is in fact still queued. One worker sweeps at a time
 * (advisory lock); with nothing to do it costs one indexed query.
 */
@Injectable()
export class InboxSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxSweepService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;

  constructor(
    private readonly events: EventStatusRepository,
    private readonly producer: SquareEventsProducer,
    private readonly deadLetter: DeadLetterUseCase,
    private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn('sweep failed; will try again', { error: errorMessage(err) }));
    }, this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share the pass in progress. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepResult> {
    const candidates = await this.events.claimSweepCandidates(this.config.sweepAfterMs, BATCH);
    const result: SweepResult = { candidates: candidates.length, enqueued: 0, deadLettered: 0 };
    for (const candidate of candidates) {
      const { eventId } = candidate;
      const queued = await this.producer.ensureQueued(candidate);
      if (queued.state === 'enqueued') result.enqueued++;
      if (queued.state === 'failed') {
        // The job failed for good but the event was not marked (Postgres was down then).
        await this.deadLetter.execute(eventId, { reason: 'attempts_exhausted', error: queued.failedReason, attempts: queued.attemptsMade });
        result.deadLettered++;
      }
    }
    if (result.enqueued > 0 || result.deadLettered > 0) this.logger.warn('sweep recovered events', { ...result });
    return result;
  }
}

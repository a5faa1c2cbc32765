import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ReconcileConfig } from '@app/config';
import { ADVISORY_LOCKS, PeriodicLock, ReconcileRepository } from '@app/database';
import { ReconcileEventsUseCase, isEventsApiRefusal, type ScanResult } from '@app/events';
import { ReadinessDetails } from '@app/health';
import { errorMessage } from '@app/observability';
import { SquareApiError } from '@app/square-api';
import { PeriodicTask } from './periodic-task.js';

const CHECKPOINT = 'events';
// Square keeps 28 days of events; an hour less, so that a search never starts before what it keeps.
const MAX_LOOKBACK_MS = (28 * 24 - 1) * 3600 * 1000;

/** What /health/ready says of the reconciler (a detail: it never makes the worker unready). */
export interface ReconcilerStatus {
  state: 'off' | 'ok' | 'failing' | 'refused';
  detail: string;
  checkedUntil?: string;
  lastRunAt?: string;
}

/**
 * Every SQUARE_RECONCILE_INTERVAL_MS, one worker at a time: searches Square's event log from the
 * checkpoint (minus SQUARE_RECONCILE_OVERLAP_MS) to SQUARE_RECONCILE_LAG_MS before now, stores what
 * the inbox lacks (ReconcileEventsUseCase), and only then moves the checkpoint. A failed run moves
 * nothing and the next interval tries the same range again (storing twice is harmless).
 */
@Injectable()
export class ReconcileService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcileService.name);
  // A failed run is said (failed) inside the pass: its status must change before anyone reads it.
  private readonly task = new PeriodicTask(
    () =>
      this.lock
        .run(ADVISORY_LOCKS.reconcile, () => this.scanFromCheckpoint())
        .catch((err: unknown) => {
          this.failed(err);
          return undefined;
        }),
    () => undefined,
  );
  private lastProblem: string | undefined;
  status: ReconcilerStatus = { state: 'off', detail: 'not started' };

  constructor(
    private readonly reconcile: ReconcileEventsUseCase,
    private readonly repository: ReconcileRepository,
    private readonly config: ReconcileConfig,
    private readonly lock: PeriodicLock,
    readiness: ReadinessDetails,
  ) {
    readiness.add('reconciler', () => ({ ...this.status }));
  }

  onApplicationBootstrap(): void {
    if (this.config.intervalMs === 0) {
      this.status = { state: 'off', detail: 'SQUARE_RECONCILE_INTERVAL_MS=0' };
      return;
    }
    if (!this.reconcile.enabled) {
      this.status = {
        state: 'off',
        detail: "no SQUARE_ACCESS_TOKEN (the application's own token searches the Events API)",
      };
      this.logger.warn(
        "the reconciler is off: it needs SQUARE_ACCESS_TOKEN, the application's own token, to search Square's Events API; events Square fails to deliver are not recovered",
      );
      return;
    }
    this.status = { state: 'ok', detail: 'first run pending' };
    this.task.start(this.config.intervalMs, 0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass (undefined when another worker holds the lock or it failed); concurrent calls share it. */
  run(): Promise<ScanResult | undefined> {
    return this.task.run();
  }

  private async scanFromCheckpoint(): Promise<ScanResult | undefined> {
    const now = Date.now();
    const checkpoint = await this.repository.checkpoint(CHECKPOINT);
    const from = new Date(
      Math.max(
        checkpoint ? checkpoint.getTime() - this.config.overlapMs : now - this.config.lookbackMs,
        now - MAX_LOOKBACK_MS,
      ),
    );
    const to = new Date(now - this.config.lagMs);
    if (to <= from) return undefined;
    const result = await this.reconcile.scan({ from, to });
    await this.repository.saveCheckpoint(CHECKPOINT, to, result);
    if (this.lastProblem) this.logger.log('the reconciler works again', { previously: this.lastProblem });
    this.lastProblem = undefined;
    this.status = {
      state: 'ok',
      detail: `searched ${from.toISOString()} – ${to.toISOString()}: ${result.found} found, ${result.recovered} recovered`,
      checkedUntil: to.toISOString(),
      lastRunAt: new Date().toISOString(),
    };
    if (result.recovered > 0)
      this.logger.warn('the reconciler recovered events Square did not deliver (a webhook gap)', {
        ...result,
        from: from.toISOString(),
        to: to.toISOString(),
      });
    return result;
  }

  /** Said once per kind of problem, not every interval; the checkpoint stays where it was. */
  private failed(err: unknown): void {
    const refused = err instanceof SquareApiError && isEventsApiRefusal(err.status);
    const problem = refused
      ? `Square refused the Events API search (${errorMessage(err)}): enable the Events API for this application (npm run square -- events enable; events from before enabling are never searchable) and check SQUARE_ACCESS_TOKEN (docs/RECONCILING.md)`
      : `the Events API search failed (${errorMessage(err)}); the next run, in ${this.config.intervalMs} ms, searches the same range again`;
    this.status = { ...this.status, state: refused ? 'refused' : 'failing', detail: problem };
    if (problem !== this.lastProblem) this.logger.warn(problem);
    this.lastProblem = problem;
  }
}

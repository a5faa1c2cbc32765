import { Injectable, Logger } from '@nestjs/common';
import {
  DESTINATION_STATE,
  ForwardBacklogRepository,
  ForwardDestinationsRepository,
  paused,
  resumed,
  retriedNow,
  type AttemptStats,
  type DestinationCircuit,
} from '@app/database';

/** A destination as the CLI and the admin API show it. */
export interface DestinationStatus {
  name: string;
  /** False: no longer in FORWARD_DESTINATIONS_FILE (its pending deliveries are kept). */
  configured: boolean;
  state: DestinationCircuit['state'];
  since: Date;
  retryingAt: Date | null;
  pausedBy: string | null;
  pauseReason: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  backlog: number;
  last5m: AttemptStats;
  last60m: AttemptStats;
}

export type ControlResult = { result: 'done'; status: DestinationCircuit } | { result: 'not_found' };

export interface RetryNowResult {
  /** Deliveries that were waiting and are due now. */
  due: number;
  /** Destinations released (a failing one is probed first). */
  destinations: string[];
  /** Paused destinations: nothing is sent to them until resumed. */
  paused: string[];
  /** --id values that name no pending delivery. */
  notPending: string[];
}

/**
 * What an operator does to forwarding destinations (the events CLI and the admin API): look at them,
 * pause, resume, retry pending deliveries now. Postgres only: every worker sees the change within a
 * second (ForwardCircuit polls the destinations' rows) and lets the backlog go.
 */
@Injectable()
export class DestinationControlUseCase {
  private readonly logger = new Logger(DestinationControlUseCase.name);

  constructor(
    private readonly circuits: ForwardDestinationsRepository,
    private readonly deliveries: ForwardBacklogRepository,
  ) {}

  /** The configured destinations, and those removed from the file that still have pending deliveries. */
  async list(configured: readonly string[]): Promise<DestinationStatus[]> {
    const backlog = await this.deliveries.pendingByDestination();
    const names = [...new Set([...configured, ...backlog.keys()])].sort();
    await this.circuits.ensure(configured);
    const [circuits, stats] = await Promise.all([this.circuits.list(names), this.circuits.attemptStats(names)]);
    return names.map((name) => {
      const c = circuits.find((x) => x.name === name);
      return {
        name,
        configured: configured.includes(name),
        state: c?.state ?? DESTINATION_STATE.healthy,
        since: c?.since ?? new Date(),
        retryingAt: c?.retryingAt ?? null,
        pausedBy: c?.pausedBy ?? null,
        pauseReason: c?.pauseReason ?? null,
        lastError: c?.lastError ?? null,
        consecutiveFailures: c?.consecutiveFailures ?? 0,
        backlog: backlog.get(name) ?? 0,
        ...stats.get(name)!,
      };
    });
  }

  /** `name` must be configured (the caller checks the file); its row may not exist yet if no worker has started since. */
  async pause(name: string, by: string, reason: string | null): Promise<ControlResult> {
    await this.circuits.ensure([name]);
    const change = await this.circuits.transition(name, (c, now) => paused(c, by, reason, now));
    if (!change) return { result: 'not_found' };
    logStateChange(this.logger, change.before, change.after, by);
    return { result: 'done', status: change.after };
  }

  async resume(name: string, by: string): Promise<ControlResult> {
    const change = await this.circuits.transition(name, (c, now) => resumed(c, now));
    if (!change) return { result: 'not_found' };
    if (change.before.state === DESTINATION_STATE.paused) await this.deliveries.makeDue([name]);
    logStateChange(this.logger, change.before, change.after, by);
    return { result: 'done', status: change.after };
  }

  /** Pending deliveries due now: all of `destinations`, or the deliveries `ids`. */
  async retryNow(target: { destinations: readonly string[] } | { ids: readonly string[] }): Promise<RetryNowResult> {
    const ids = 'ids' in target ? [...new Set(target.ids)] : undefined;
    const byId = ids ? await this.deliveries.pendingDestinations(ids) : undefined;
    const names = byId ? [...new Set(byId.values())] : 'destinations' in target ? [...target.destinations] : [];
    const result: RetryNowResult = {
      due: 0,
      destinations: [],
      paused: [],
      notPending: ids && byId ? ids.filter((id) => !byId.has(id)) : [],
    };
    for (const name of names) {
      const change = await this.circuits.transition(name, (c, now) => retriedNow(c, now));
      if (change?.after.state === DESTINATION_STATE.paused) {
        result.paused.push(name);
        continue;
      }
      result.due += await this.deliveries.makeDue(
        [name],
        byId ? [...byId].filter(([, d]) => d === name).map(([id]) => id) : null,
      );
      result.destinations.push(name);
    }
    this.logger.log('deliveries retried now', { ...result });
    return result;
  }
}

/** One line per change of a destination's state (the worker's circuit and the operators' actions). */
export function logStateChange(
  logger: Logger,
  before: DestinationCircuit,
  after: DestinationCircuit,
  by?: string,
): void {
  if (before.state === after.state) return;
  const about = { destination: after.name, from: before.state, to: after.state, ...(by ? { by } : {}) };
  if (after.state === DESTINATION_STATE.healthy) logger.log('destination state: healthy', about);
  else if (after.state === DESTINATION_STATE.failing)
    logger.warn('destination state: failing', { ...about, retryingAt: after.retryingAt, error: after.lastError });
  else logger.warn('destination state: paused', { ...about, pausedBy: after.pausedBy, reason: after.pauseReason });
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ForwardingConfig } from '@app/config';
import {
  DESTINATION_STATE,
  ForwardBacklogRepository,
  ForwardDestinationsRepository,
  afterFailure,
  afterSuccess,
  type DestinationCircuit,
} from '@app/database';
import { logStateChange } from '@app/events';
import { forwardAutoPauses, forwardDestinationState } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { ForwardDestinations } from './forward-destinations.js';
import { ForwardQueues } from './forward-queues.js';

// How often each worker reads the destinations' circuits: an operator's resume or retry-now, or a
// recovery seen by another worker, lets this worker's backlog go within this.
const POLL_MS = 1000;

/**
 * The circuit breaker of each destination, kept in Postgres (forward_destinations) so that every
 * worker, the admin app and the CLI see the same state. This worker's side: failures and successes
 * move the circuit (DeliverUseCase), one probe at a time while it is open, and the backlog is let go
 * the moment it closes or an operator releases it (released_at moves on).
 */
@Injectable()
export class ForwardCircuit implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ForwardCircuit.name);
  private readonly released = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly circuits: ForwardDestinationsRepository,
    private readonly deliveries: ForwardBacklogRepository,
    private readonly destinations: ForwardDestinations,
    private readonly queues: ForwardQueues,
    private readonly config: ForwardingConfig,
  ) {
    destinations.onChange(({ added }) => this.circuits.ensure(added.map((d) => d.name)));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.circuits
      .ensure(this.destinations.names())
      .catch((err: unknown) => this.logger.warn('cannot record the destinations yet', { error: errorMessage(err) }));
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** A failed attempt; resolves with the circuit after it. */
  async failed(destination: string, error: string): Promise<DestinationCircuit | null> {
    const settings = {
      backoffMs: this.config.backoffMs,
      probeMaxMs: this.config.probeMaxMs,
      autoPauseAfterMs: this.config.autoPauseAfterMs,
    };
    const change = await this.circuits.transition(destination, (c, now) => afterFailure(c, error, settings, now));
    if (!change) return null;
    logStateChange(this.logger, change.before, change.after);
    if (change.before.state !== change.after.state) this.setState(change.after);
    if (change.after.state === DESTINATION_STATE.paused && change.before.state !== DESTINATION_STATE.paused)
      forwardAutoPauses.inc({ destination });
    return change.after;
  }

  /** A 2xx: when it closes the circuit, every delivery waiting for the destination is due now. */
  async succeeded(destination: string): Promise<void> {
    const change = await this.circuits.transition(destination, (c, now) => afterSuccess(c, now));
    if (
      !change ||
      change.before.state !== DESTINATION_STATE.failing ||
      change.after.state !== DESTINATION_STATE.healthy
    )
      return;
    logStateChange(this.logger, change.before, change.after);
    this.setState(change.after);
    await this.deliveries.makeDue([destination]);
    await this.release(destination, change.after.releasedAt);
  }

  /** True when this worker may send the one probe to a failing destination now. */
  takeProbe(destination: string, leaseMs: number): Promise<boolean> {
    return this.circuits.takeProbe(destination, leaseMs);
  }

  /** Reads every circuit: the state metric, and the backlog let go where released_at moved on. */
  private async poll(): Promise<void> {
    try {
      const circuits = await this.circuits.list(this.destinations.names());
      forwardDestinationState.reset();
      for (const c of circuits) {
        this.setState(c);
        const seen = this.released.get(c.name);
        if (seen === undefined) this.released.set(c.name, c.releasedAt.getTime());
        else if (c.releasedAt.getTime() > seen) await this.release(c.name, c.releasedAt);
      }
    } catch (err) {
      this.logger.warn("cannot read the destinations' state; will try again", { error: errorMessage(err) });
    }
  }

  private async release(destination: string, at: Date): Promise<void> {
    this.released.set(destination, Math.max(at.getTime(), this.released.get(destination) ?? 0));
    await this.queues.release(destination);
  }

  private setState(c: DestinationCircuit): void {
    forwardAutoPauses.inc({ destination: c.name }, 0); // a series from the start, so that increase() sees the first pause
    for (const state of Object.values(DESTINATION_STATE))
      forwardDestinationState.set({ destination: c.name, state }, c.state === state ? 1 : 0);
  }
}

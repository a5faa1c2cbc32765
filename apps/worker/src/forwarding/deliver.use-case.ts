import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { ForwardingConfig, type Destination } from '@app/config';
import {
  DELIVERY,
  DESTINATION_STATE,
  ForwardDeliveriesRepository,
  type AttemptResult,
  type Delivery,
} from '@app/database';
import { forwardDeliveries, forwardRequestSeconds } from '@app/metrics';
import { retryDelayMs } from '@app/queue';
import { ForwardCircuit } from './forward-circuit.service.js';
import { ForwardQueues } from './forward-queues.js';
import { sendDelivery, type SendResult } from './forward-sender.js';

export type DeliveryOutcome = 'delivered' | 'skipped';

/**
 * Not sent now, and no attempt counted: `destination`: its destination is paused or failing (the
 * whole queue waits, until `untilMs` at most); `delivery`: this delivery is not due before `untilMs`.
 */
export interface Hold {
  hold: 'destination' | 'delivery';
  untilMs: number;
}

/** A failed attempt that will be retried; the delay is the one recorded as the next attempt. */
export class RetryDelivery extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryDelivery';
    this.stack = `${this.name}: ${message}`; // the destination's answer, not our call stack, is what Bull Board should show
  }
}

/** The delivery's retry window is over: its job fails for good (the delivery row says dead_lettered). */
export class DeadLettered extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'DeadLettered';
    this.stack = `${this.name}: ${message}`;
  }
}

// A paused destination's queue is looked at again after this, or at once when it is resumed.
const PAUSED_HOLD_MS = 30_000;
// A job that finds the probe in flight waits for it; its success lets everything go at once.
const PROBE_IN_FLIGHT_HOLD_MS = 1000;
// A delivery made due a little early by its job's own timer is sent anyway.
const DUE_SLACK_MS = 1000;

/**
 * One attempt of one delivery. Its destination's circuit decides first (ForwardCircuit): a paused
 * destination gets nothing; a failing one gets one probe at a time, the others wait without an
 * attempt counted. A failure while the destination is healthy is the delivery's own: it is retried
 * on its schedule (FORWARD_BACKOFF_MS doubling up to FORWARD_MAX_BACKOFF_MS, with jitter, or the
 * destination's Retry-After if longer). A failure that leaves the destination failing makes the
 * delivery wait for the next probe instead. Either way a delivery whose next attempt would fall past
 * FORWARD_RETRY_FOR_MS after its first is dead-lettered; deliveries held while their destination
 * fails are not attempted, so their window does not run (auto-pause bounds that wait).
 */
@Injectable()
export class DeliverUseCase {
  private readonly logger = new Logger(DeliverUseCase.name);

  constructor(
    private readonly deliveries: ForwardDeliveriesRepository,
    private readonly circuit: ForwardCircuit,
    private readonly queues: ForwardQueues,
    private readonly config: ForwardingConfig,
  ) {}

  async execute(destination: Destination, deliveryId: string): Promise<DeliveryOutcome | Hold> {
    const delivery = await this.deliveries.find(deliveryId);
    // Delivered or dead-lettered already (a second job for it), or purged.
    if (!delivery || delivery.status !== DELIVERY.pending) return 'skipped';
    const gate = await this.gate(destination, delivery);
    if (gate !== 'send' && gate !== 'probe') return gate;

    const result = await sendDelivery(destination, delivery);
    const attempt = { attempts: delivery.attempts + 1, status: result.status, error: result.error };
    const latencyMs = Math.round(result.seconds * 1000);
    forwardRequestSeconds.observe({ destination: destination.name, status: result.label }, result.seconds);
    if (result.ok) {
      await this.deliveries.markDelivered(delivery.id, { ...attempt, status: result.status! }, latencyMs);
      forwardDeliveries.inc({ destination: destination.name, outcome: 'delivered' });
      // Only a destination that was failing has anything to reset: a healthy one costs no write.
      if (gate === 'probe' || (delivery.circuit?.consecutiveFailures ?? 0) > 0)
        await this.circuit.succeeded(destination.name);
      if (delivery.generation > 0)
        await this.queues.forgetEarlierJobs(destination.name, delivery.id, delivery.generation);
      return 'delivered';
    }

    const circuit = await this.circuit.failed(destination.name, result.error ?? 'failed');
    // Failing or paused now: the delivery waits for its destination (the next probe), not on its own schedule.
    const destinationDown = circuit !== null && circuit.state !== DESTINATION_STATE.healthy;
    const delayMs = destinationDown
      ? Math.max(0, (circuit.retryingAt?.getTime() ?? Date.now() + PAUSED_HOLD_MS) - Date.now())
      : retryDelayMs(attempt.attempts, this.config.backoffMs, result, Math.random, this.config.maxBackoffMs);
    await this.recordFailure(destination, delivery, attempt, result, delayMs, latencyMs);
    if (destinationDown) return { hold: 'destination', untilMs: Date.now() + delayMs };
    throw new RetryDelivery(result.error ?? 'failed', delayMs);
  }

  /** Whether to send: the destination's state, then the delivery's own schedule. */
  private async gate(destination: Destination, delivery: Delivery): Promise<'send' | 'probe' | Hold> {
    const now = Date.now();
    const circuit = delivery.circuit;
    if (circuit?.state === DESTINATION_STATE.paused) return { hold: 'destination', untilMs: now + PAUSED_HOLD_MS };
    if (circuit?.state === DESTINATION_STATE.failing) {
      const retryingAt = circuit.retryingAt?.getTime() ?? now;
      if (retryingAt > now) return { hold: 'destination', untilMs: retryingAt };
      // The lease outlasts the request: the probe's outcome releases it.
      if (await this.circuit.takeProbe(destination.name, destination.timeoutMs + 5000)) return 'probe';
      return {
        hold: 'destination',
        untilMs: Math.max(now + PROBE_IN_FLIGHT_HOLD_MS, Math.min(circuit.probeUntil?.getTime() ?? 0, now + 5000)),
      };
    }
    const due = delivery.nextAttemptAt?.getTime() ?? now;
    if (due > now + DUE_SLACK_MS) return { hold: 'delivery', untilMs: due };
    return 'send';
  }

  /**
   * Records a failed attempt; dead-letters the delivery when its next one would fall past
   * FORWARD_RETRY_FOR_MS after its first (a delivery held while its destination fails is not
   * attempted, so its window does not run; a probe's is, as any attempt's).
   */
  private async recordFailure(
    destination: Destination,
    delivery: Delivery,
    attempt: AttemptResult,
    result: SendResult,
    delayMs: number,
    latencyMs: number,
  ): Promise<void> {
    const nextAttemptAt = new Date(Date.now() + delayMs);
    const firstAttemptAt =
      (await this.deliveries.recordFailure(delivery.id, attempt, nextAttemptAt, latencyMs)) ?? new Date();
    if (nextAttemptAt.getTime() - firstAttemptAt.getTime() > this.config.retryForMs) {
      await this.deliveries.markDeadLettered(delivery.id, attempt);
      forwardDeliveries.inc({ destination: destination.name, outcome: 'dead_lettered' });
      this.logger.warn('delivery dead-lettered: its retry window is over', {
        destination: destination.name,
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        attempts: attempt.attempts,
        error: result.error,
      });
      throw new DeadLettered(`dead-lettered after ${attempt.attempts} attempts: ${result.error}`);
    }
    forwardDeliveries.inc({ destination: destination.name, outcome: 'failed' });
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { ForwardingConfig, type Destination } from '@app/config';
import { DELIVERY, ForwardDeliveriesRepository } from '@app/database';
import { forwardDeliveries, forwardRequestSeconds } from '@app/metrics';
import { retryDelayMs } from '@app/queue';
import { ForwardQueues } from './forward-queues.js';
import { sendDelivery, type SendResult } from './forward-sender.js';

export type DeliveryOutcome = 'delivered' | 'skipped';

/** A failed attempt that will be retried; the delay is the one recorded as the next attempt. */
export class RetryDelivery extends Error {
  constructor(message: string, readonly delayMs: number) {
    super(message);
    this.name = 'RetryDelivery';
  }
}

// After this many failures in a row, the destination as a whole is backed off (its queue is
// rate-limited to nothing for a while), instead of every pending delivery being tried in turn.
const BACK_OFF_AFTER_FAILURES = 5;

/**
 * One attempt of one delivery: send it, record what came of it. A failure is retried on the
 * delivery's own schedule (FORWARD_BACKOFF_MS doubling up to FORWARD_MAX_BACKOFF_MS, with jitter,
 * or the destination's Retry-After if longer) until FORWARD_RETRY_FOR_MS after its first attempt;
 * then it is dead-lettered.
 */
@Injectable()
export class DeliverUseCase {
  private readonly logger = new Logger(DeliverUseCase.name);
  /** Failures in a row per destination, in this process. */
  private readonly failuresInARow = new Map<string, number>();

  constructor(
    private readonly deliveries: ForwardDeliveriesRepository,
    private readonly queues: ForwardQueues,
    private readonly config: ForwardingConfig,
  ) {}

  async execute(destination: Destination, deliveryId: string): Promise<DeliveryOutcome> {
    const delivery = await this.deliveries.find(deliveryId);
    // Delivered or dead-lettered already (a second job for it), or purged.
    if (!delivery || delivery.status !== DELIVERY.pending) return 'skipped';

    const result = await sendDelivery(destination, delivery);
    const attempt = { attempts: delivery.attempts + 1, status: result.status, error: result.error };
    forwardRequestSeconds.observe({ destination: destination.name, status: result.label }, result.seconds);
    if (result.ok) {
      await this.deliveries.markDelivered(delivery.id, { ...attempt, status: result.status! });
      if ((this.failuresInARow.get(destination.name) ?? 0) >= BACK_OFF_AFTER_FAILURES) this.logger.log('destination answers again', { destination: destination.name });
      this.failuresInARow.delete(destination.name);
      forwardDeliveries.inc({ destination: destination.name, outcome: 'delivered' });
      return 'delivered';
    }

    const delayMs = retryDelayMs(attempt.attempts, this.config.backoffMs, result, Math.random, this.config.maxBackoffMs);
    const nextAttemptAt = new Date(Date.now() + delayMs);
    const firstAttemptAt = (await this.deliveries.recordFailure(delivery.id, attempt, nextAttemptAt)) ?? new Date();
    await this.backOffIfFailing(destination, result);
    if (nextAttemptAt.getTime() - firstAttemptAt.getTime() > this.config.retryForMs) {
      await this.deliveries.markDeadLettered(delivery.id, attempt);
      forwardDeliveries.inc({ destination: destination.name, outcome: 'dead_lettered' });
      this.logger.warn('delivery dead-lettered: its retry window is over', {
        destination: destination.name, deliveryId: delivery.id, eventId: delivery.eventId, attempts: attempt.attempts, error: result.error,
      });
      throw new UnrecoverableError(`dead-lettered after ${attempt.attempts} attempts: ${result.error}`);
    }
    forwardDeliveries.inc({ destination: destination.name, outcome: 'failed' });
    throw new RetryDelivery(result.error ?? 'failed', delayMs);
  }

  /**
   * A destination that keeps failing gets no request at all for a while (growing like a delivery's
   * own backoff, or its Retry-After): its queue is rate-limited in Redis, so every worker holds off.
   */
  private async backOffIfFailing(destination: Destination, result: SendResult): Promise<void> {
    const failures = (this.failuresInARow.get(destination.name) ?? 0) + 1;
    this.failuresInARow.set(destination.name, failures);
    if (failures < BACK_OFF_AFTER_FAILURES) return;
    const pauseMs = retryDelayMs(failures - BACK_OFF_AFTER_FAILURES + 1, this.config.backoffMs, result, Math.random, this.config.maxBackoffMs);
    if (failures === BACK_OFF_AFTER_FAILURES) {
      this.logger.warn('destination keeps failing; backing it off as a whole until it answers again', {
        destination: destination.name, failuresInARow: failures, pauseMs, error: result.error,
      });
    }
    await this.queues.of(destination.name)?.rateLimit(pauseMs);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { DELIVERY, ForwardBacklogRepository } from '@app/database';

export interface DeliveryReplayResult {
  replayed: string[];
  /** Pending or delivered: left alone (a pending one is on its way, a delivered one was accepted). */
  skipped: string[];
  notFound: string[];
}

/**
 * Puts dead-lettered deliveries back to pending, each with a fresh retry schedule and a new job in
 * the outbox (one statement); the worker's relay enqueues them. The body and webhook-id are those of
 * the first attempt, so a receiver that did get it after all deduplicates the replay.
 */
@Injectable()
export class ReplayDeliveriesUseCase {
  private readonly logger = new Logger(ReplayDeliveriesUseCase.name);

  constructor(private readonly deliveries: ForwardBacklogRepository) {}

  async replay(ids: readonly string[]): Promise<DeliveryReplayResult> {
    const unique = [...new Set(ids)];
    const statuses = await this.deliveries.statusesOf(unique);
    const replayed = new Set(
      await this.deliveries.resetForReplay(unique.filter((id) => statuses.get(id) === DELIVERY.dead_lettered)),
    );
    const result: DeliveryReplayResult = {
      replayed: unique.filter((id) => replayed.has(id)),
      skipped: unique.filter((id) => statuses.has(id) && !replayed.has(id)),
      notFound: unique.filter((id) => !statuses.has(id)),
    };
    if (result.replayed.length > 0) this.logger.log('deliveries replayed', { count: result.replayed.length });
    return result;
  }

  /** Every dead-lettered delivery of a destination (up to 10 000 per call, oldest first). */
  async replayDestination(destination: string): Promise<DeliveryReplayResult> {
    return this.replay(await this.deliveries.deadLetteredOf(destination));
  }
}

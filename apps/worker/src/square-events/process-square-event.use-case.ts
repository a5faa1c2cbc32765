import { Injectable } from '@nestjs/common';
import { ApplyOutcome, EventStatusRepository, SquareEffectsRepository } from '@app/database';
import { routeSquareEvent } from '@app/square';
import { SquareApiClient } from '@app/square-api';

export type ProcessOutcome = ApplyOutcome | 'ignored' | 'skipped';

/** Filled in as the event is read, for the caller's logs and metrics (also on failure). */
export interface ProcessContext {
  eventType: string;
}

/** The event cannot be interpreted; retrying will not change that. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/**
 * One event, start to end: read the inbox row, retrieve the canonical object from Square (the
 * network call, outside any transaction), then apply it in one short statement that claims the
 * event (see SquareEffectsRepository). Events of other types are marked ignored without a call.
 */
@Injectable()
export class ProcessSquareEventUseCase {
  constructor(
    private readonly events: EventStatusRepository,
    private readonly effects: SquareEffectsRepository,
    private readonly square: SquareApiClient,
  ) {}

  async execute(eventId: string, context: ProcessContext): Promise<ProcessOutcome> {
    const event = await this.events.find(eventId);
    if (!event) throw new InvalidEventError(`event ${eventId} is not in the inbox`);
    context.eventType = event.eventType;
    if (event.status !== 'received') return 'skipped'; // processed, ignored or dead-lettered already

    const route = routeSquareEvent(event.eventType, event.payload);
    switch (route.kind) {
      case 'ignore':
        await this.events.markIgnored(eventId);
        return 'ignored';
      case 'invalid':
        throw new InvalidEventError(route.reason);
      case 'payment':
        return this.effects.applyPayment(eventId, await this.square.getPayment(route.id));
      case 'refund':
        return this.effects.applyRefund(eventId, await this.square.getRefund(route.id));
    }
  }
}

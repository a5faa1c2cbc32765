import { Injectable } from '@nestjs/common';
import type { Destination } from '@app/config';
import { matchesEventType, type EventRoute } from '@app/square';
import type { AppliedHandler, ApplyContext } from '../handlers/applied-handler.js';
import { forwardBody, webhookIdFor } from './forward-body.js';
import { ForwardDestinations } from './forward-destinations.js';

export const FORWARD_HANDLER = 'forward';

/**
 * The transactional outbox of forwarding, as the last handler of the apply path: one delivery per
 * matching destination, recorded in the event's own transaction (so an applied event always has its
 * deliveries, and a rolled-back one has none). Sending happens after the commit (ForwardWorkers).
 */
@Injectable()
export class ForwardRecorderHandler implements AppliedHandler {
  readonly name = FORWARD_HANDLER;

  constructor(private readonly destinations: ForwardDestinations) {}

  wants(type: string, _route: EventRoute, merchantId: string | null): boolean {
    return this.matching(type, merchantId).length > 0;
  }

  async handle({ event, route, object, tx }: ApplyContext): Promise<void> {
    const matching = this.matching(event.type, event.merchantId);
    const body = forwardBody(event, route, object);
    await tx.recordDeliveries(matching.map((d) => ({ name: d.name, webhookId: webhookIdFor(d.name, event.id) })), event.type, body);
  }

  private matching(type: string, merchantId: string | null): Destination[] {
    // The destinations as the file says now (a reload applies to the next event).
    return this.destinations.all().filter((d) =>
      matchesEventType(d.eventTypes, type) && (d.merchantIds === undefined || (merchantId !== null && d.merchantIds.includes(merchantId))));
  }
}

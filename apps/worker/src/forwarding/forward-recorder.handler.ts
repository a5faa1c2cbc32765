import { Injectable } from '@nestjs/common';
import type { Destination } from '@app/config';
import { statement } from '@app/database';
import { forwardQueue } from '@app/queue';
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
    if (matching.length === 0) return;
    await tx.run(RECORD_DELIVERIES, {
      destinations: matching.map((d) => d.name),
      webhook_ids: matching.map((d) => webhookIdFor(d.name, event.id)),
      queues: matching.map((d) => forwardQueue(d.name)),
      event_id: event.id,
      event_type: event.type,
      body: forwardBody(event, route, object),
    });
  }

  private matching(type: string, merchantId: string | null): Destination[] {
    // The destinations as the file says now (a reload applies to the next event).
    return this.destinations
      .all()
      .filter(
        (d) =>
          matchesEventType(d.eventTypes, type) &&
          (d.merchantIds === undefined || (merchantId !== null && d.merchantIds.includes(merchantId))),
      );
  }
}

/**
 * One delivery per destination, and each one's job in the outbox, the body the same for each. A
 * second recording of the same event and destination is impossible (unique key): an applied event
 * has exactly its deliveries.
 */
const RECORD_DELIVERIES = statement<{
  destinations: string[];
  webhook_ids: string[];
  queues: string[];
  event_id: string;
  event_type: string;
  body: string;
}>(
  'record-deliveries-forward',
  `
  WITH recorded AS (
    INSERT INTO forward_deliveries (destination, event_id, event_type, webhook_id, body)
    SELECT d.destination, :event_id, :event_type, d.webhook_id, :body
    FROM unnest(:destinations::text[], :webhook_ids::text[]) AS d(destination, webhook_id)
    ON CONFLICT (destination, event_id) DO NOTHING
    RETURNING id, destination
  )
  INSERT INTO job_outbox (queue, ref)
  SELECT q.queue, recorded.id::text FROM recorded JOIN unnest(:destinations::text[], :queues::text[]) AS q(destination, queue) USING (destination)`,
);

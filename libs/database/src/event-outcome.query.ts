import type pg from 'pg';
import { statement } from './sql.js';

/** Where one event stands, for `square trigger`'s report: its status, the team's handlers that applied it, its deliveries. */
export interface EventOutcome {
  status: string;
  outcome: string | null;
  deadLetterReason: string | null;
  lastError: string | null;
  handlers: string[];
  deliveries: Array<{ destination: string; status: string }>;
}

const OUTCOME = statement<
  { event_id: string },
  {
    status: string;
    outcome: string | null;
    dead_letter_reason: string | null;
    last_error: string | null;
    handlers: string[];
    deliveries: EventOutcome['deliveries'];
  }
>(
  'event-outcome',
  `
  SELECT w.status::text AS status, w.outcome, w.dead_letter_reason, w.last_error,
    ARRAY(SELECT handler FROM handler_claims c WHERE c.event_id = w.event_id ORDER BY handler) AS handlers,
    COALESCE((SELECT json_agg(json_build_object('destination', d.destination, 'status', d.status::text) ORDER BY d.destination)
      FROM forward_deliveries d WHERE d.event_id = w.event_id), '[]'::json) AS deliveries
  FROM webhook_events w WHERE w.event_id = :event_id`,
);

export async function findEventOutcome(pool: pg.Pool, eventId: string): Promise<EventOutcome | undefined> {
  const { rows } = await OUTCOME.run(pool, { event_id: eventId });
  const r = rows[0];
  return (
    r && {
      status: r.status,
      outcome: r.outcome,
      deadLetterReason: r.dead_letter_reason,
      lastError: r.last_error,
      handlers: r.handlers,
      deliveries: r.deliveries,
    }
  );
}

import type pg from 'pg';
import { STATUS, statement } from './sql.js';

// `npm run events -- rerun`: which stored events one handler has not applied yet, and the object
// the mirror holds for one, and the claim of (handler, event) it takes in the event's transaction
// (EventTransactions), where the handler's writes go too, as on the live path.

/**
 * One handler's claim of one event: a row when taken, none when that pair was applied before
 * (live, or by an earlier rerun).
 */
export const CLAIM_HANDLER = statement<{ handler: string; event_id: string }, { handler: string }>(
  'claim-handler',
  `
  INSERT INTO handler_claims (handler, event_id) VALUES (:handler, :event_id) ON CONFLICT DO NOTHING
  RETURNING handler`,
);

export interface RerunFilter {
  handler: string;
  /** The handler's eventTypes as LIKE patterns (eventTypeLikePatterns). */
  typePatterns: string[];
  /** --type: exact types; empty for all. */
  types: string[];
  since: Date;
  until: Date;
}

export interface RerunEvent {
  eventId: string;
  eventType: string;
  merchantId: string | null;
  createdAt: string | null;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

// Processed events only (an event still to process gets the handler live; an ignored one was not
// meant for any), whose body is still there (retention empties it).
const MATCHING = `
  w.status = '${STATUS.processed}' AND w.purged_at IS NULL AND w.received_at >= :since AND w.received_at < :until
  AND w.event_type LIKE ANY(:patterns::text[]) AND (cardinality(:types::text[]) = 0 OR w.event_type = ANY(:types::text[]))`;

type Matching = { since: Date; until: Date; patterns: string[]; types: string[]; handler: string };

const COUNT = statement<Matching, { total: number; applied: number }>(
  'rerun-count',
  `
  SELECT count(*)::int AS total, count(c.event_id)::int AS applied
  FROM webhook_events w LEFT JOIN handler_claims c ON c.handler = :handler AND c.event_id = w.event_id
  WHERE ${MATCHING}`,
);

const PAGE = statement<
  Matching & { after_at: Date; after_id: string; limit: number },
  {
    event_id: string;
    event_type: string;
    merchant_id: string | null;
    payload: Record<string, unknown>;
    received_at: Date;
  }
>(
  'rerun-page',
  `
  SELECT w.event_id, w.event_type, w.merchant_id, w.payload, w.received_at
  FROM webhook_events w
  WHERE ${MATCHING} AND (w.received_at, w.event_id) > (:after_at, :after_id)
    AND NOT EXISTS (SELECT 1 FROM handler_claims c WHERE c.handler = :handler AND c.event_id = w.event_id)
  ORDER BY w.received_at, w.event_id
  LIMIT :limit`,
);

const MIRRORED = statement<{ type: string; id: string }, { data: Record<string, unknown> }>(
  'rerun-mirrored-object',
  `
  SELECT data FROM payments WHERE :type = 'payment' AND id = :id
  UNION ALL SELECT data FROM refunds WHERE :type = 'refund' AND id = :id
  UNION ALL SELECT data FROM square_objects WHERE :type NOT IN ('payment', 'refund') AND object_type = :type AND object_id = :id AND NOT deleted`,
);

/** A handler's eventTypes (exact, 'payment.*' or '*') as LIKE patterns. */
export function eventTypeLikePatterns(eventTypes: readonly string[]): string[] {
  return eventTypes.map((t) => t.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*$/, '%'));
}

const bind = (f: RerunFilter): Matching => ({
  since: f.since,
  until: f.until,
  patterns: f.typePatterns,
  types: f.types,
  handler: f.handler,
});

/** How many events match, and how many of them the handler applied already. */
export async function countRerun(pool: pg.Pool, f: RerunFilter): Promise<{ total: number; applied: number }> {
  const { rows } = await COUNT.run(pool, bind(f));
  return rows[0] ?? { total: 0, applied: 0 };
}

/** The next events (oldest first) after `after` that the handler has not applied. */
export async function rerunPage(
  pool: pg.Pool,
  f: RerunFilter,
  after: { receivedAt: Date; eventId: string },
  limit: number,
): Promise<RerunEvent[]> {
  const { rows } = await PAGE.run(pool, { ...bind(f), after_at: after.receivedAt, after_id: after.eventId, limit });
  return rows.map((r) => ({
    eventId: r.event_id,
    eventType: r.event_type,
    merchantId: r.merchant_id,
    createdAt: typeof r.payload.created_at === 'string' ? r.payload.created_at : null,
    payload: r.payload,
    receivedAt: r.received_at,
  }));
}

/** The object as the mirror holds it (Square's JSON), or undefined when it does not. */
export async function mirroredObject(
  pool: pg.Pool,
  type: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await MIRRORED.run(pool, { type, id });
  return rows[0]?.data;
}

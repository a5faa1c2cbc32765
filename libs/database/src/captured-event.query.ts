import type pg from 'pg';
import { statement } from './sql.js';

export interface CapturedEvent {
  /** The body exactly as received (bytea, byte for byte). */
  rawBody: Buffer;
  eventType: string;
  squareEnvironment: string | null;
}

const FIND_CAPTURED = statement<
  { event_id: string },
  { raw_body: Buffer; event_type: string; square_environment: string | null }
>(
  'find-captured-event',
  `
  SELECT raw_body, event_type, square_environment FROM webhook_events WHERE event_id = :event_id`,
);

/** One captured event's raw body, for `npm run square -- replay` (no Nest context needed). */
export async function findCapturedEvent(pool: pg.Pool, eventId: string): Promise<CapturedEvent | undefined> {
  const { rows } = await FIND_CAPTURED.run(pool, { event_id: eventId });
  const row = rows[0];
  return row && { rawBody: row.raw_body, eventType: row.event_type, squareEnvironment: row.square_environment };
}

import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';

/** What the spans of an event's later steps read: the trace context stored at its capture (traceparent[ tracestate]), its type and seller. */
export interface EventTrace {
  traceparent: string | null;
  type: string;
  merchantId: string | null;
}

type Row = { event_id: string; trace_context: string | null; event_type: string; merchant_id: string | null };

// Read only while tracing is on (libs/tracing): with it off, no statement of this file runs.
const FIND = statement<{ event_ids: string[] }, Row>(
  'find-event-traces',
  `
  SELECT event_id, trace_context, event_type, merchant_id FROM webhook_events WHERE event_id = ANY(:event_ids::text[])`,
);

// Events the relay just published, for the attempt that usually follows in this same process:
// a bounded map spares that attempt its own query (with several workers, a miss reads Postgres).
const REMEMBERED = 10_000;

/** The trace context stored with each event (docs/TRACING.md), for the relay's and the worker's spans. */
@Injectable()
export class EventTraceRepository {
  private readonly recent = new Map<string, EventTrace>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** The relay's batch: each event's trace (kept for its first attempt). */
  async forRelay(eventIds: readonly string[]): Promise<Map<string, EventTrace>> {
    if (eventIds.length === 0) return new Map();
    const found = await this.read(eventIds);
    for (const [eventId, trace] of found) {
      if (this.recent.size >= REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
      this.recent.set(eventId, trace);
    }
    return found;
  }

  /** An attempt's: what the relay left, else Postgres (a retry, another worker's relay, a restart). */
  async find(eventId: string): Promise<EventTrace | null> {
    const remembered = this.recent.get(eventId);
    if (remembered) {
      this.recent.delete(eventId);
      return remembered;
    }
    return (await this.read([eventId])).get(eventId) ?? null;
  }

  private async read(eventIds: readonly string[]): Promise<Map<string, EventTrace>> {
    const { rows } = await FIND.run(this.pool, { event_ids: [...eventIds] });
    return new Map(
      rows.map((r) => [r.event_id, { traceparent: r.trace_context, type: r.event_type, merchantId: r.merchant_id }]),
    );
  }
}

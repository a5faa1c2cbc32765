import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';

/** What the spans of an event's later steps read: the traceparent stored at its capture, its type and seller. */
export interface EventTrace {
  traceparent: string | null;
  type: string;
  merchantId: string | null;
}

// Read only while tracing is on (libs/tracing): with it off, no statement of this file runs.
const FIND = statement<{ event_id: string }, { trace_context: string | null; event_type: string; merchant_id: string | null }>('find-event-trace', `
  SELECT trace_context, event_type, merchant_id FROM webhook_events WHERE event_id = :event_id`);

const TRACEPARENTS = statement<{ event_ids: string[] }, { event_id: string; trace_context: string }>('event-traceparents', `
  SELECT event_id, trace_context FROM webhook_events WHERE event_id = ANY(:event_ids::text[]) AND trace_context IS NOT NULL`);

/** The trace context stored with each event (docs/TRACING.md), for the worker's and the relay's spans. */
@Injectable()
export class EventTraceRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(eventId: string): Promise<EventTrace | null> {
    const { rows } = await FIND.run(this.pool, { event_id: eventId });
    const r = rows[0];
    return r ? { traceparent: r.trace_context, type: r.event_type, merchantId: r.merchant_id } : null;
  }

  /** eventId → traceparent, for the events that have one. */
  async traceparents(eventIds: readonly string[]): Promise<Map<string, string>> {
    if (eventIds.length === 0) return new Map();
    const { rows } = await TRACEPARENTS.run(this.pool, { event_ids: [...eventIds] });
    return new Map(rows.map((r) => [r.event_id, r.trace_context]));
  }
}

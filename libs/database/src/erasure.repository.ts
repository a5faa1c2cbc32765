import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { inTransaction } from './transaction.js';

/**
 * Who is erased: a customer (wherever their id appears), a person known by an email address (a
 * guest checkout has no customer id), or a seller that leaves (all of theirs).
 */
export type ErasureSubject = { customerId: string } | { email: string } | { merchantId: string };

export interface ErasureCounts {
  /** Inbox rows whose body and payload were emptied (the rows stay, for deduplication). */
  eventBodies: number;
  /** Events still being processed, left alone: run the erasure again once they are done. */
  eventsInFlight: number;
  mirroredObjects: number;
  payments: number;
  refunds: number;
  deliveries: number;
  invalidBodies: number;
  merchantTokens: number;
  /** Rows whose error texts or reasons named the subject, now '[erased]' in their place (events, deliveries, tokens). */
  errorTexts: number;
}

/**
 * How the subject is searched for: `json`, a pattern for stored JSON (a customer id as a quoted
 * string value; an address anywhere, case-insensitively); `text`, a pattern for error texts and
 * bodies that need not be JSON (the bare id or address). Both are escaped literals (`regexp_like`).
 */
export interface SubjectSearch {
  json: string;
  text: string;
  flags: '' | 'i';
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function subjectSearch(subject: ErasureSubject): SubjectSearch {
  if ('email' in subject) return { json: literal(subject.email), text: literal(subject.email), flags: 'i' };
  const id = 'customerId' in subject ? subject.customerId : subject.merchantId;
  return { json: literal(JSON.stringify(id)), text: literal(id), flags: '' };
}

type Json = { json: string; flags: string };
type Text = { text: string; flags: string };

// A person's data can be anywhere in a body (payment.customer_id, buyer_email_address,
// customer.email_address…): a search of the JSON text finds every place. Each is a full scan of its
// table: erasure is rare, operator-run, and nothing may be missed (its cost: docs/OPERATING.md, Erasure).
const P = {
  events: statement<Json>(
    'erase-person-events',
    `
    UPDATE webhook_events SET raw_body = ''::bytea, payload = 'null'::jsonb, purged_at = now(), updated_at = now()
    WHERE status <> '${STATUS.received}' AND purged_at IS NULL AND regexp_like(payload::text, :json, :flags)`,
  ),
  inFlight: statement<Json, { n: number }>(
    'erase-person-in-flight',
    `
    SELECT count(*)::int AS n FROM webhook_events WHERE status = '${STATUS.received}' AND regexp_like(payload::text, :json, :flags)`,
  ),
  objects: statement<Json>(
    'erase-person-objects',
    'DELETE FROM square_objects WHERE regexp_like(data::text, :json, :flags)',
  ),
  payments: statement<Json>(
    'erase-person-payments',
    'DELETE FROM payments WHERE regexp_like(data::text, :json, :flags)',
  ),
  refunds: statement<Json>('erase-person-refunds', 'DELETE FROM refunds WHERE regexp_like(data::text, :json, :flags)'),
  deliveries: statement<Json>(
    'erase-person-deliveries',
    'DELETE FROM forward_deliveries WHERE regexp_like(body, :json, :flags)',
  ),
};

const M = {
  // The row keeps its id (deduplication), not the seller's.
  events: statement<{ merchant_id: string }>(
    'erase-merchant-events',
    `
    UPDATE webhook_events SET raw_body = ''::bytea, payload = 'null'::jsonb, merchant_id = NULL, purged_at = coalesce(purged_at, now()), updated_at = now()
    WHERE merchant_id = :merchant_id AND status <> '${STATUS.received}'`,
  ),
  inFlight: statement<{ merchant_id: string }, { n: number }>(
    'erase-merchant-in-flight',
    `
    SELECT count(*)::int AS n FROM webhook_events WHERE merchant_id = :merchant_id AND status = '${STATUS.received}'`,
  ),
  objects: statement<{ merchant_id: string }>(
    'erase-merchant-objects',
    'DELETE FROM square_objects WHERE merchant_id = :merchant_id',
  ),
  // The typed tables name no merchant: the event that last wrote the row does.
  payments: statement<{ merchant_id: string }>(
    'erase-merchant-payments',
    `
    DELETE FROM payments p USING webhook_events e WHERE e.event_id = p.last_event_id AND e.merchant_id = :merchant_id`,
  ),
  refunds: statement<{ merchant_id: string }>(
    'erase-merchant-refunds',
    `
    DELETE FROM refunds r USING webhook_events e WHERE e.event_id = r.last_event_id AND e.merchant_id = :merchant_id`,
  ),
  deliveries: statement<{ merchant_id: string }>(
    'erase-merchant-deliveries',
    `
    DELETE FROM forward_deliveries d USING webhook_events e WHERE e.event_id = d.event_id AND e.merchant_id = :merchant_id`,
  ),
  tokens: statement<{ merchant_id: string }>(
    'erase-merchant-tokens',
    'DELETE FROM merchant_tokens WHERE merchant_id = :merchant_id',
  ),
};

// Whoever the subject is: bodies that need not be JSON, and every stored error text and reason
// (a failed GET /v2/customers/<id> names the customer in last_error). The texts stay, scrubbed.
const scrub = (column: string) => `${column} = regexp_replace(${column}, :text, '[erased]', 'g' || :flags)`;
const names = (column: string) => `regexp_like(${column}, :text, :flags)`;
const ANY = {
  invalid: statement<Text>(
    'erase-subject-invalid',
    `DELETE FROM invalid_webhooks WHERE ${names("encode(raw_body, 'escape')")} OR ${names('headers::text')}`,
  ),
  rejected: statement<Text>(
    'erase-subject-rejected',
    `DELETE FROM rejected_deliveries WHERE ${names("encode(raw_body, 'escape')")}`,
  ),
  eventErrors: statement<Text>(
    'erase-subject-event-errors',
    `
    UPDATE webhook_events SET ${scrub('last_error')}, ${scrub('dead_letter_reason')}, ${scrub('square_retry_reason')}, updated_at = now()
    WHERE ${names('last_error')} OR ${names('dead_letter_reason')} OR ${names('square_retry_reason')}`,
  ),
  deliveryErrors: statement<Text>(
    'erase-subject-delivery-errors',
    `
    UPDATE forward_deliveries SET ${scrub('last_error')}, updated_at = now() WHERE ${names('last_error')}`,
  ),
  tokenErrors: statement<Text>(
    'erase-subject-token-errors',
    `
    UPDATE merchant_tokens SET ${scrub('status_reason')}, ${scrub('last_refresh_error')}, updated_at = now()
    WHERE ${names('status_reason')} OR ${names('last_refresh_error')}`,
  ),
};

const PURGED_EVENTS = statement<{ ids: string[] }, { event_id: string }>(
  'erase-purged-events',
  `
  SELECT event_id FROM webhook_events WHERE event_id = ANY(:ids::text[]) AND purged_at IS NOT NULL`,
);
const PRESENT_DELIVERIES = statement<{ ids: string[] }, { id: string }>(
  'erase-present-deliveries',
  `
  SELECT id::text AS id FROM forward_deliveries WHERE id = ANY(:ids::bigint[])`,
);

/** Erasure for personal-data requests: everything stored that holds a customer's or a seller's data, in one transaction. */
@Injectable()
export class ErasureRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async erase(subject: ErasureSubject): Promise<ErasureCounts> {
    const { json, text, flags } = subjectSearch(subject);
    return inTransaction(this.pool, async (client) => {
      const n = async (result: Promise<pg.QueryResult>) => (await result).rowCount ?? 0;
      const count = async (result: Promise<pg.QueryResult<{ n: number }>>) => (await result).rows[0]?.n ?? 0;
      const merchant_id = 'merchantId' in subject ? subject.merchantId : undefined;
      // Merchant rows (dead-letters' payments included) go first: they join on events still holding bodies.
      const rows =
        merchant_id === undefined
          ? {
              payments: await n(P.payments.run(client, { json, flags })),
              refunds: await n(P.refunds.run(client, { json, flags })),
              mirroredObjects: await n(P.objects.run(client, { json, flags })),
              deliveries: await n(P.deliveries.run(client, { json, flags })),
              eventBodies: await n(P.events.run(client, { json, flags })),
              eventsInFlight: await count(P.inFlight.run(client, { json, flags })),
              merchantTokens: 0,
            }
          : {
              payments: await n(M.payments.run(client, { merchant_id })),
              refunds: await n(M.refunds.run(client, { merchant_id })),
              mirroredObjects: await n(M.objects.run(client, { merchant_id })),
              deliveries: await n(M.deliveries.run(client, { merchant_id })),
              eventBodies: await n(M.events.run(client, { merchant_id })),
              eventsInFlight: await count(M.inFlight.run(client, { merchant_id })),
              merchantTokens: await n(M.tokens.run(client, { merchant_id })),
            };
      const errorTexts =
        (await n(ANY.eventErrors.run(client, { text, flags }))) +
        (await n(ANY.deliveryErrors.run(client, { text, flags }))) +
        (await n(ANY.tokenErrors.run(client, { text, flags })));
      return {
        ...rows,
        invalidBodies:
          (await n(ANY.invalid.run(client, { text, flags }))) + (await n(ANY.rejected.run(client, { text, flags }))),
        errorTexts,
      };
    });
  }

  /** Of these events, those whose body is gone (retention or erasure): their jobs in Redis serve nothing. */
  async purgedEvents(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await PURGED_EVENTS.run(this.pool, { ids: [...ids] });
    return new Set(rows.map((r) => r.event_id));
  }

  /** Of these delivery ids, those whose row still exists. */
  async presentDeliveries(ids: readonly string[]): Promise<Set<string>> {
    const numeric = ids.filter((id) => /^\d{1,18}$/.test(id));
    if (numeric.length === 0) return new Set();
    const { rows } = await PRESENT_DELIVERIES.run(this.pool, { ids: numeric });
    return new Set(rows.map((r) => r.id));
  }
}

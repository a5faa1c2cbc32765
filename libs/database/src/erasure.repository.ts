import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** Who is erased: a customer (wherever their id appears), or a seller that leaves (all of theirs). */
export type ErasureSubject = { customerId: string } | { merchantId: string };

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
}

// A customer's id can be anywhere in a body (payment.customer_id, order.customer_id, customer.id…):
// a quoted-string search over the JSON text finds every place it appears as a value. A full scan:
// erasure is rare, and nothing may be missed.
const C = {
  events: statement<{ needle: string }>('erase-customer-events', `
    UPDATE webhook_events SET raw_body = ''::bytea, payload = 'null'::jsonb, purged_at = now(), updated_at = now()
    WHERE status <> '${STATUS.received}' AND purged_at IS NULL AND strpos(payload::text, :needle) > 0`),
  inFlight: statement<{ needle: string }>('erase-customer-in-flight', `
    SELECT count(*)::int AS n FROM webhook_events WHERE status = '${STATUS.received}' AND strpos(payload::text, :needle) > 0`),
  objects: statement<{ needle: string }>('erase-customer-objects', 'DELETE FROM square_objects WHERE strpos(data::text, :needle) > 0'),
  payments: statement<{ needle: string }>('erase-customer-payments', 'DELETE FROM payments WHERE strpos(data::text, :needle) > 0'),
  refunds: statement<{ needle: string }>('erase-customer-refunds', 'DELETE FROM refunds WHERE strpos(data::text, :needle) > 0'),
  deliveries: statement<{ needle: string }>('erase-customer-deliveries', 'DELETE FROM forward_deliveries WHERE strpos(body, :needle) > 0'),
  invalid: statement<{ needle: string }>('erase-customer-invalid', "DELETE FROM invalid_webhooks WHERE position(convert_to(:needle, 'UTF8') IN raw_body) > 0"),
};

const M = {
  events: statement<{ merchant_id: string }>('erase-merchant-events', `
    UPDATE webhook_events SET raw_body = ''::bytea, payload = 'null'::jsonb, purged_at = now(), updated_at = now()
    WHERE merchant_id = :merchant_id AND status <> '${STATUS.received}' AND purged_at IS NULL`),
  inFlight: statement<{ merchant_id: string }>('erase-merchant-in-flight', `
    SELECT count(*)::int AS n FROM webhook_events WHERE merchant_id = :merchant_id AND status = '${STATUS.received}'`),
  objects: statement<{ merchant_id: string }>('erase-merchant-objects', 'DELETE FROM square_objects WHERE merchant_id = :merchant_id'),
  // The typed tables name no merchant: the event that last wrote the row does.
  payments: statement<{ merchant_id: string }>('erase-merchant-payments', `
    DELETE FROM payments p USING webhook_events e WHERE e.event_id = p.last_event_id AND e.merchant_id = :merchant_id`),
  refunds: statement<{ merchant_id: string }>('erase-merchant-refunds', `
    DELETE FROM refunds r USING webhook_events e WHERE e.event_id = r.last_event_id AND e.merchant_id = :merchant_id`),
  deliveries: statement<{ merchant_id: string }>('erase-merchant-deliveries', `
    DELETE FROM forward_deliveries d USING webhook_events e WHERE e.event_id = d.event_id AND e.merchant_id = :merchant_id`),
  invalid: statement<{ needle: string }>('erase-merchant-invalid', "DELETE FROM invalid_webhooks WHERE position(convert_to(:needle, 'UTF8') IN raw_body) > 0"),
  tokens: statement<{ merchant_id: string }>('erase-merchant-tokens', 'DELETE FROM merchant_tokens WHERE merchant_id = :merchant_id'),
};

/** Erasure for personal-data requests: everything stored that holds a customer's or a seller's data, in one transaction. */
@Injectable()
export class ErasureRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async erase(subject: ErasureSubject): Promise<ErasureCounts> {
    return inTransaction(this.pool, async (client) => {
      const n = async (query: pg.QueryConfig<unknown[]>) => (await client.query(query)).rowCount ?? 0;
      const count = async (query: pg.QueryConfig<unknown[]>) => (await client.query<{ n: number }>(query)).rows[0]?.n ?? 0;
      if ('customerId' in subject) {
        const needle = JSON.stringify(subject.customerId); // "…", as it appears in JSON text
        // Merchant rows (dead-letters' payments included) go first: they join on events still holding bodies.
        return {
          payments: await n(C.payments.bind({ needle })),
          refunds: await n(C.refunds.bind({ needle })),
          mirroredObjects: await n(C.objects.bind({ needle })),
          deliveries: await n(C.deliveries.bind({ needle })),
          eventBodies: await n(C.events.bind({ needle })),
          eventsInFlight: await count(C.inFlight.bind({ needle })),
          invalidBodies: await n(C.invalid.bind({ needle })),
          merchantTokens: 0,
        };
      }
      const merchant_id = subject.merchantId;
      return {
        payments: await n(M.payments.bind({ merchant_id })),
        refunds: await n(M.refunds.bind({ merchant_id })),
        mirroredObjects: await n(M.objects.bind({ merchant_id })),
        deliveries: await n(M.deliveries.bind({ merchant_id })),
        eventBodies: await n(M.events.bind({ merchant_id })),
        eventsInFlight: await count(M.inFlight.bind({ merchant_id })),
        invalidBodies: await n(M.invalid.bind({ needle: JSON.stringify(merchant_id) })),
        merchantTokens: await n(M.tokens.bind({ merchant_id })),
      };
    });
  }
}

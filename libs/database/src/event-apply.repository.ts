import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** What a handler's ctx.sql returns. */
export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}


/** The statements of one event's apply transaction, on its connection; unusable once it is over. */
export interface ApplyTransaction {
  /**
   * Takes the event's claim and marks the event processed (outcome applied), in one statement:
   * both commit only with everything else of the transaction. False when the claim was taken
   * already (the event was applied before): then nothing changed.
   */
  claim(): Promise<boolean>;
  /**
   * Mirrors a payment (its JSON as the API returned it), only when strictly newer than the stored
   * row; when it is not, the event's outcome becomes 'unchanged'. True when written.
   */
  upsertPayment(json: string): Promise<boolean>;
  upsertRefund(json: string): Promise<boolean>;
  /** SQL of the team's handlers, in this transaction ($n parameters, not prepared). */
  sql<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<SqlResult<R>>;
}

export class TransactionOverError extends Error {
  override name = 'TransactionOverError';
}

// The claim: event_claims' primary key makes a second claim of one event impossible; a concurrent
// attempt waits for the first to commit or roll back, then finds the row or takes it. The event is
// marked processed in the same statement (one round trip less: they commit together anyway).
const CLAIM = statement<{ event_id: string }>('claim-event', `
  WITH claim AS (
    INSERT INTO event_claims (event_id) VALUES (:event_id) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ), mark AS (
    UPDATE webhook_events SET status = '${STATUS.processed}', outcome = 'applied', processed_at = now(), updated_at = now()
    WHERE event_id IN (SELECT event_id FROM claim) AND status = '${STATUS.received}'
  )
  SELECT event_id FROM claim`);

// When the mirror finds a newer row stored, the event's outcome says so.
const UNCHANGED = `
  , unchanged AS (
    UPDATE webhook_events SET outcome = 'unchanged' WHERE event_id = :event_id AND NOT EXISTS (SELECT 1 FROM upsert)
  )
  SELECT id FROM upsert`;

// The mirror reads the columns people query out of the canonical object itself, so the one object
// handlers see is the one stored. A row is only replaced by a strictly newer one: Square's integer
// version when both have one, else a later updated_at; an older retrieval arriving late changes nothing.
const UPSERT_PAYMENT = statement<{ object: string; event_id: string }>('upsert-payment', `
  WITH upsert AS (
    INSERT INTO payments AS p (id, status, amount, currency, total_amount, refunded_amount, location_id, order_id,
      customer_id, source_type, receipt_number, version, square_created_at, square_updated_at, data, last_event_id)
    SELECT o->>'id', COALESCE(o->>'status', 'UNKNOWN'), (o#>>'{amount_money,amount}')::bigint, o#>>'{amount_money,currency}',
      (o#>>'{total_money,amount}')::bigint, (o#>>'{refunded_money,amount}')::bigint, o->>'location_id', o->>'order_id',
      o->>'customer_id', o->>'source_type', o->>'receipt_number',
      CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::int END,
      (o->>'created_at')::timestamptz, (o->>'updated_at')::timestamptz, o, :event_id
    FROM (SELECT :object::jsonb AS o) AS canonical
    ON CONFLICT (id) DO UPDATE SET
      status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency, total_amount = EXCLUDED.total_amount,
      refunded_amount = EXCLUDED.refunded_amount, location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id,
      customer_id = EXCLUDED.customer_id, source_type = EXCLUDED.source_type, receipt_number = EXCLUDED.receipt_number,
      version = EXCLUDED.version, square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at,
      data = EXCLUDED.data, last_event_id = EXCLUDED.last_event_id, updated_at = now()
    WHERE (EXCLUDED.version IS NOT NULL AND p.version IS NOT NULL AND EXCLUDED.version > p.version)
       OR ((EXCLUDED.version IS NULL OR p.version IS NULL)
           AND EXCLUDED.square_updated_at > COALESCE(p.square_updated_at, '-infinity'::timestamptz))
    RETURNING id
  )${UNCHANGED}`);

const UPSERT_REFUND = statement<{ object: string; event_id: string }>('upsert-refund', `
  WITH upsert AS (
    INSERT INTO refunds AS r (id, payment_id, status, amount, currency, location_id, order_id, reason, version,
      square_created_at, square_updated_at, data, last_event_id)
    SELECT o->>'id', o->>'payment_id', COALESCE(o->>'status', 'UNKNOWN'), (o#>>'{amount_money,amount}')::bigint,
      o#>>'{amount_money,currency}', o->>'location_id', o->>'order_id', o->>'reason',
      CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::int END,
      (o->>'created_at')::timestamptz, (o->>'updated_at')::timestamptz, o, :event_id
    FROM (SELECT :object::jsonb AS o) AS canonical
    ON CONFLICT (id) DO UPDATE SET
      payment_id = EXCLUDED.payment_id, status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
      location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id, reason = EXCLUDED.reason, version = EXCLUDED.version,
      square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at, data = EXCLUDED.data,
      last_event_id = EXCLUDED.last_event_id, updated_at = now()
    WHERE (EXCLUDED.version IS NOT NULL AND r.version IS NOT NULL AND EXCLUDED.version > r.version)
       OR ((EXCLUDED.version IS NULL OR r.version IS NULL)
           AND EXCLUDED.square_updated_at > COALESCE(r.square_updated_at, '-infinity'::timestamptz))
    RETURNING id
  )${UNCHANGED}`);

/**
 * One event's apply: ONE transaction that claims the event (marking it processed), mirrors its
 * object and runs the handlers — all committed together, or nothing (docs/ARCHITECTURE.md).
 */
@Injectable()
export class EventApplyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** `timeoutMs`: past it the transaction fails (TimeoutError) and is rolled back. */
  async inApplyTransaction<T>(eventId: string, timeoutMs: number, work: (tx: ApplyTransaction) => Promise<T>): Promise<T> {
    let over = false;
    try {
      return await inTransaction(this.pool, (client) => {
        const run = async <R>(query: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R & pg.QueryResultRow>> => {
          // A handler still running after its event was rolled back (it ignored a timeout) must not
          // write outside the transaction, or inside another event's on the same pooled connection.
          if (over) throw new TransactionOverError(`the transaction of event ${eventId} is over`);
          return client.query<R & pg.QueryResultRow>(query);
        };
        const event_id = eventId;
        return work({
          claim: async () => (await run(CLAIM.bind({ event_id }))).rowCount === 1,
          upsertPayment: async (json) => (await run(UPSERT_PAYMENT.bind({ object: json, event_id }))).rowCount === 1,
          upsertRefund: async (json) => (await run(UPSERT_REFUND.bind({ object: json, event_id }))).rowCount === 1,
          sql: async <R>(text: string, values: readonly unknown[] = []) => {
            const result = await run<R>({ text, values: [...values] });
            return { rows: result.rows, rowCount: result.rowCount ?? 0 };
          },
        });
      }, { timeoutMs });
    } finally {
      over = true;
    }
  }
}

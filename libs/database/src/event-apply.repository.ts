import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { traceTransaction } from '@app/tracing';
import { deliveriesOf } from './forward-deliveries.repository.js';
import { handlerSql, type HandlerSql } from './handler-sql.js';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { TransactionLeftError, inTransaction } from './transaction.js';

/** The statements of one event's apply transaction, on its connection; unusable once it is over. */
export interface ApplyTransaction {
  /**
   * Takes the event's claim and marks the event processed (outcome applied), in one statement:
   * both commit only with everything else of the transaction. False when the claim was taken
   * already (the event was applied before): then nothing changed. `attempt` (1 for the first) is
   * stored as the event's attempts, as a failed attempt stores its own number. `handlers`: the
   * team's handlers that want the event; resolves with those it claimed (one a rerun applied
   * already is not), or false.
   */
  claim(attempt: number, handlers?: readonly string[]): Promise<ReadonlySet<string> | false>;
  /** `events rerun`: claims (handler, this event); false when that pair was applied before. */
  claimHandler(handler: string): Promise<boolean>;
  /**
   * For a legacy v1 event: records that its body (body_key) applies this object (Square's JSON,
   * null when the event has none), only when the object is strictly newer than the one the body
   * last applied. False when it is not: a repeat of the body, with nothing new to apply.
   */
  claimBody(bodyKey: string, objectJson: string | null): Promise<boolean>;
  /**
   * Mirrors a payment (its JSON as the API returned it), only when strictly newer than the stored
   * row; when it is not, the event's outcome becomes 'unchanged'. True when written.
   */
  upsertPayment(json: string): Promise<boolean>;
  upsertRefund(json: string): Promise<boolean>;
  /**
   * Mirrors any other object into square_objects, only when strictly newer. `one`: the event's
   * only object, so its outcome becomes 'unchanged' when it is not written (else see setOutcome).
   * True when written.
   */
  upsertObject(row: ObjectRow, one?: boolean): Promise<boolean>;
  /** Marks an object deleted, keeping its last data (or this snapshot when it was never stored). True when changed. */
  markDeleted(row: ObjectRow, one?: boolean): Promise<boolean>;
  /** The event's outcome, for an event of several objects once all are written. */
  setOutcome(outcome: string): Promise<void>;
  /** One delivery per destination (with its job in the outbox), the body the same for each. */
  recordDeliveries(destinations: ReadonlyArray<{ name: string; webhookId: string }>, eventType: string, body: string): Promise<void>;
  /** A named statement of another repository (Statement.bind), in this transaction. */
  run(query: pg.QueryConfig<unknown[]>): Promise<void>;
  /**
   * ctx.sql of the team's handler `handler`: one statement ($n parameters, not prepared) in this
   * transaction, never one that ends it or changes the session (HandlerSqlRefusedError).
   */
  sqlFor(handler: string): HandlerSql;
}

/** One row of square_objects as the mirror writes it (version and times read out of the object beforehand). */
export interface ObjectRow {
  objectType: string;
  objectId: string;
  merchantId: string | null;
  locationId: string | null;
  /** Square's integer version, as text (bigint). */
  version: string | null;
  updatedAt: Date | null;
  /** 'api' (retrieved) or 'snapshot' (the event's data.object). */
  source: 'api' | 'snapshot';
  /** The object's JSON text (null for a deletion that carries none). */
  json: string | null;
  eventCreatedAt: Date | null;
}

export class TransactionOverError extends Error {
  override name = 'TransactionOverError';
}

// The claim: event_claims' primary key makes a second claim of one event impossible; a concurrent
// attempt waits for the first to commit or roll back, then finds the row or takes it. The event is
// marked processed in the same statement (one round trip less: they commit together anyway). It
// reads the transaction's id too, which the commit checks when a handler ran SQL (transaction.ts).
// The team's handlers claim (handler, event) in the same statement: a pair `events rerun` applied
// already is not claimed again, and the use case skips that handler.
const CLAIM = statement<{ event_id: string; attempts: number; handlers: string[] }>('claim-event', `
  WITH claim AS (
    INSERT INTO event_claims (event_id) VALUES (:event_id) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ), mark AS (
    UPDATE webhook_events SET status = '${STATUS.processed}', outcome = 'applied', attempts = :attempts, processed_at = now(), updated_at = now()
    WHERE event_id IN (SELECT event_id FROM claim) AND status = '${STATUS.received}'
  ), handled AS (
    INSERT INTO handler_claims (handler, event_id) SELECT h, event_id FROM claim, unnest(:handlers::text[]) AS h
    ON CONFLICT DO NOTHING RETURNING handler
  )
  SELECT event_id, pg_current_xact_id()::text AS xid, ARRAY(SELECT handler FROM handled) AS handlers FROM claim`);

// `events rerun`: one handler's claim of one event; the transaction's id as for the claim above.
const CLAIM_HANDLER = statement<{ handler: string; event_id: string }>('claim-handler', `
  INSERT INTO handler_claims (handler, event_id) VALUES (:handler, :event_id) ON CONFLICT DO NOTHING
  RETURNING pg_current_xact_id()::text AS xid`);

// A v1 body carries no id nor version, and its event id hashes an unsigned timestamp: the same
// signed body can come back as a new event. It applies an object once per version, by the
// mirror's rule (the integer version when both have one, else a later updated_at); an object with
// neither is applied by the body's first event only. A concurrent repeat waits on the row, then
// compares with what committed.
const CLAIM_BODY = statement<{ body_key: string; object: string | null; event_id: string }>('claim-legacy-body', `
  INSERT INTO legacy_body_applies AS b (body_key, version, square_updated_at, event_id)
  SELECT :body_key, CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::bigint END,
    (o->>'updated_at')::timestamptz, :event_id
  FROM (SELECT :object::jsonb AS o) AS canonical
  ON CONFLICT (body_key) DO UPDATE SET
    version = EXCLUDED.version, square_updated_at = EXCLUDED.square_updated_at, event_id = EXCLUDED.event_id, applied_at = now()
  WHERE (EXCLUDED.version IS NOT NULL AND b.version IS NOT NULL AND EXCLUDED.version > b.version)
     OR ((EXCLUDED.version IS NULL OR b.version IS NULL)
         AND EXCLUDED.square_updated_at > COALESCE(b.square_updated_at, '-infinity'::timestamptz))
  RETURNING body_key`);

// When the mirror finds a newer row stored (nothing came out of its upsert), the event's outcome
// says so; an event of several objects (:record_unchanged false) decides once all are written.
const unchangedUnlessWritten = (key: string) => `
  , unchanged AS (
    UPDATE webhook_events SET outcome = 'unchanged'
    WHERE event_id = :event_id AND :record_unchanged::boolean AND NOT EXISTS (SELECT 1 FROM upsert)
  )
  SELECT ${key} FROM upsert`;

// The mirror reads the columns people query out of the canonical object itself, so the one object
// handlers see is the one stored. A row is only replaced by a strictly newer one: Square's integer
// version when both have one, else a later updated_at; an older retrieval arriving late changes nothing.
const UPSERT_PAYMENT = statement<{ object: string; event_id: string; record_unchanged: boolean }>('upsert-payment', `
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
  )${unchangedUnlessWritten('id')}`);

const UPSERT_REFUND = statement<{ object: string; event_id: string; record_unchanged: boolean }>('upsert-refund', `
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
  )${unchangedUnlessWritten('id')}`);

type ObjectValues = {
  object_type: string; object_id: string; merchant_id: string | null; location_id: string | null; version: string | null;
  updated_at: Date | null; source: string; object: string | null; event_id: string; event_created_at: Date | null;
  record_unchanged: boolean;
};

// The same rule as payments': only a strictly newer row replaces the stored one — a higher version
// when both have one, else a later updated_at; for objects with neither, a later event. So a stale
// snapshot never replaces a retrieved object, and events arriving out of order change nothing.
const UPSERT_OBJECT = statement<ObjectValues>('upsert-object', `
  WITH upsert AS (
    INSERT INTO square_objects AS s (object_type, object_id, merchant_id, location_id, version, square_updated_at,
      deleted, source, data, last_event_id, event_created_at)
    VALUES (:object_type, :object_id, :merchant_id, :location_id, :version::bigint, :updated_at::timestamptz,
      false, :source, :object::jsonb, :event_id, :event_created_at::timestamptz)
    ON CONFLICT (object_type, object_id) DO UPDATE SET
      merchant_id = EXCLUDED.merchant_id, location_id = EXCLUDED.location_id, version = EXCLUDED.version,
      square_updated_at = EXCLUDED.square_updated_at, deleted = false, source = EXCLUDED.source, data = EXCLUDED.data,
      last_event_id = EXCLUDED.last_event_id, event_created_at = EXCLUDED.event_created_at, updated_at = now()
    WHERE (EXCLUDED.version IS NOT NULL AND s.version IS NOT NULL AND EXCLUDED.version > s.version)
       OR ((EXCLUDED.version IS NULL OR s.version IS NULL)
           AND EXCLUDED.square_updated_at > COALESCE(s.square_updated_at, '-infinity'::timestamptz))
       OR (EXCLUDED.version IS NULL AND s.version IS NULL AND EXCLUDED.square_updated_at IS NULL AND s.square_updated_at IS NULL
           AND EXCLUDED.event_created_at > COALESCE(s.event_created_at, '-infinity'::timestamptz))
    RETURNING object_id
  )${unchangedUnlessWritten('object_id')}`);

// A deletion is final: the row is marked, and keeps its last data.
const MARK_DELETED = statement<ObjectValues>('mark-object-deleted', `
  WITH upsert AS (
    INSERT INTO square_objects AS s (object_type, object_id, merchant_id, location_id, version, square_updated_at,
      deleted, source, data, last_event_id, event_created_at)
    VALUES (:object_type, :object_id, :merchant_id, :location_id, :version::bigint, :updated_at::timestamptz,
      true, :source, COALESCE(:object::jsonb, '{}'::jsonb), :event_id, :event_created_at::timestamptz)
    ON CONFLICT (object_type, object_id) DO UPDATE SET deleted = true, last_event_id = EXCLUDED.last_event_id, updated_at = now()
    WHERE NOT s.deleted
    RETURNING object_id
  )${unchangedUnlessWritten('object_id')}`);

const objectValues = (row: ObjectRow, event_id: string, record_unchanged: boolean): ObjectValues => ({
  object_type: row.objectType, object_id: row.objectId, merchant_id: row.merchantId, location_id: row.locationId,
  version: row.version, updated_at: row.updatedAt, source: row.source, object: row.json, event_id, event_created_at: row.eventCreatedAt,
  record_unchanged,
});

const SET_OUTCOME = statement<{ event_id: string; outcome: string }>('set-outcome', `
  UPDATE webhook_events SET outcome = :outcome WHERE event_id = :event_id`);

const LAST_CHANGE = statement<{ object_type: string; merchant_id: string | null }>('last-object-change', `
  SELECT max(square_updated_at) AS at FROM square_objects
  WHERE object_type = :object_type AND merchant_id IS NOT DISTINCT FROM :merchant_id`);

/**
 * One event's apply: ONE transaction that claims the event (marking it processed), mirrors its
 * object and runs the handlers — all committed together, or nothing (docs/ARCHITECTURE.md).
 */
@Injectable()
export class EventApplyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** When an object of this type and merchant last changed, of those stored (outside any transaction). */
  async lastChange(objectType: string, merchantId: string | null): Promise<Date | null> {
    const { rows } = await this.pool.query<{ at: Date | null }>(LAST_CHANGE.bind({ object_type: objectType, merchant_id: merchantId }));
    return rows[0]?.at ?? null;
  }

  /**
   * `timeoutMs`: past it the transaction fails (TimeoutError) and is rolled back. When a handler's
   * SQL leaves the transaction, the commit finds it and fails with a TransactionLeftError naming
   * the handlers that ran SQL.
   */
  async inApplyTransaction<T>(eventId: string, timeoutMs: number, work: (tx: ApplyTransaction) => Promise<T>): Promise<T> {
    let over = false;
    let xid: string | undefined;
    const ranSql = new Set<string>();
    try {
      // A span around BEGIN … COMMIT when tracing is on (the handlers' spans are its children).
      return await traceTransaction(eventId, () => inTransaction(this.pool, (client) => {
        const run = async <R>(query: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R & pg.QueryResultRow>> => {
          // A handler still running after its event was rolled back (it ignored a timeout) must not
          // write outside the transaction, or inside another event's on the same pooled connection.
          if (over) throw new TransactionOverError(`the transaction of event ${eventId} is over`);
          return client.query<R & pg.QueryResultRow>(query);
        };
        const event_id = eventId;
        return work({
          claim: async (attempts, handlers = []) => {
            const { rows } = await run<{ xid: string; handlers: string[] }>(CLAIM.bind({ event_id, attempts, handlers: [...handlers] }));
            xid = rows[0]?.xid;
            return rows[0] === undefined ? false : new Set(rows[0].handlers);
          },
          claimHandler: async (handler) => {
            const { rows } = await run<{ xid: string }>(CLAIM_HANDLER.bind({ handler, event_id }));
            xid = rows[0]?.xid;
            return rows.length === 1;
          },
          claimBody: async (bodyKey, objectJson) => (await run(CLAIM_BODY.bind({ body_key: bodyKey, object: objectJson, event_id }))).rowCount === 1,
          upsertPayment: async (json) => (await run(UPSERT_PAYMENT.bind({ object: json, event_id, record_unchanged: true }))).rowCount === 1,
          upsertRefund: async (json) => (await run(UPSERT_REFUND.bind({ object: json, event_id, record_unchanged: true }))).rowCount === 1,
          upsertObject: async (row, one = true) => (await run(UPSERT_OBJECT.bind(objectValues(row, event_id, one)))).rowCount === 1,
          markDeleted: async (row, one = true) => (await run(MARK_DELETED.bind(objectValues(row, event_id, one)))).rowCount === 1,
          setOutcome: async (outcome) => {
            await run(SET_OUTCOME.bind({ event_id, outcome }));
          },
          recordDeliveries: async (destinations, eventType, body) => {
            if (destinations.length > 0) await run(deliveriesOf(event_id, eventType, body, destinations));
          },
          run: async (query) => {
            await run(query);
          },
          sqlFor: (handler) => handlerSql(run, () => ranSql.add(handler)),
        });
      }, {
        timeoutMs,
        // Handlers run after the claim; were one to run before it, no transaction would pass the check (0).
        untrustedSince: () => (ranSql.size > 0 ? (xid ?? '0') : undefined),
      }));
    } catch (err) {
      if (err instanceof TransactionLeftError) throw new TransactionLeftError(err.message, [...ranSql], { cause: err.cause });
      throw err;
    } finally {
      over = true;
    }
  }
}

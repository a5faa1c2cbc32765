import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { PaymentRecord, RefundRecord } from '@app/square-api';
import { PG_POOL } from './pg-pool.js';

/**
 * applied: the payment/refund row was written; unchanged: a newer (or the same) version was
 * already stored; duplicate: the event had been applied before (its claim exists).
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'duplicate';

// Each apply is ONE statement, hence one short transaction, run after the API call:
//   claim  — insert the event id into event_claims; the primary key makes a second claim of the
//            same event impossible: a concurrent one waits for the first to commit, then finds
//            the conflict and inserts nothing;
//   upsert — only when claimed; on conflict, overwrite only with a newer version (Square's
//            integer version when both have one, else a later updated_at), so an older retrieval
//            arriving late never replaces a newer row;
//   mark   — only when claimed: the event is processed, with its outcome.
// Data-modifying CTEs run on one snapshot and commit together, or not at all.

// A row may only replace the stored one when it is strictly newer.
const NEWER = (table: string) => `
  (EXCLUDED.version IS NOT NULL AND ${table}.version IS NOT NULL AND EXCLUDED.version > ${table}.version)
  OR ((EXCLUDED.version IS NULL OR ${table}.version IS NULL)
      AND EXCLUDED.square_updated_at > COALESCE(${table}.square_updated_at, '-infinity'::timestamptz))`;

@Injectable()
export class SquareEffectsRepository {
  // Plain pg rather than Prisma: once per job, on the worker's hot path.
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async applyPayment(eventId: string, p: PaymentRecord): Promise<ApplyOutcome> {
    return this.apply(
      'apply-payment',
      eventId,
      `INSERT INTO payments (id, status, amount, currency, total_amount, refunded_amount, location_id, order_id,
         customer_id, source_type, receipt_number, version, square_created_at, square_updated_at, data, last_event_id)
       SELECT $2, $3, $4::bigint, $5, $6::bigint, $7::bigint, $8, $9, $10, $11, $12, $13::int, $14::timestamptz,
         $15::timestamptz, $16::jsonb, $1 FROM claim
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
         total_amount = EXCLUDED.total_amount, refunded_amount = EXCLUDED.refunded_amount,
         location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id, customer_id = EXCLUDED.customer_id,
         source_type = EXCLUDED.source_type, receipt_number = EXCLUDED.receipt_number, version = EXCLUDED.version,
         square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at,
         data = EXCLUDED.data, last_event_id = EXCLUDED.last_event_id, updated_at = now()
       WHERE ${NEWER('payments')}
       RETURNING id`,
      [p.id, p.status, p.amount, p.currency, p.totalAmount, p.refundedAmount, p.locationId, p.orderId, p.customerId,
        p.sourceType, p.receiptNumber, p.version, p.createdAt, p.updatedAt, p.json],
    );
  }

  async applyRefund(eventId: string, r: RefundRecord): Promise<ApplyOutcome> {
    return this.apply(
      'apply-refund',
      eventId,
      `INSERT INTO refunds (id, payment_id, status, amount, currency, location_id, order_id, reason, version,
         square_created_at, square_updated_at, data, last_event_id)
       SELECT $2, $3, $4, $5::bigint, $6, $7, $8, $9, $10::int, $11::timestamptz, $12::timestamptz, $13::jsonb, $1
       FROM claim
       ON CONFLICT (id) DO UPDATE SET payment_id = EXCLUDED.payment_id, status = EXCLUDED.status,
         amount = EXCLUDED.amount, currency = EXCLUDED.currency, location_id = EXCLUDED.location_id,
         order_id = EXCLUDED.order_id, reason = EXCLUDED.reason, version = EXCLUDED.version,
         square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at,
         data = EXCLUDED.data, last_event_id = EXCLUDED.last_event_id, updated_at = now()
       WHERE ${NEWER('refunds')}
       RETURNING id`,
      [r.id, r.paymentId, r.status, r.amount, r.currency, r.locationId, r.orderId, r.reason, r.version,
        r.createdAt, r.updatedAt, r.json],
    );
  }

  /**
   * $1 is the event id; `upsert` is an INSERT … SELECT … FROM claim using $2… The statement is
   * prepared once per connection under `name`: parsing and planning this CTE on every job cost
   * Postgres more CPU than running it.
   */
  private async apply(name: string, eventId: string, upsert: string, values: unknown[]): Promise<ApplyOutcome> {
    const sql = `
      WITH claim AS (
        INSERT INTO event_claims (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
      ), upsert AS (
        ${upsert}
      ), mark AS (
        UPDATE webhook_events
        SET status = 'processed', processed_at = now(), updated_at = now(),
            outcome = CASE WHEN EXISTS (SELECT 1 FROM upsert) THEN 'applied' ELSE 'unchanged' END
        WHERE event_id = $1 AND EXISTS (SELECT 1 FROM claim)
      )
      SELECT (SELECT count(*) FROM claim)::int AS claimed, (SELECT count(*) FROM upsert)::int AS written`;
    const { rows } = await this.pool.query<{ claimed: number; written: number }>({ name, text: sql, values: [eventId, ...values] });
    const { claimed, written } = rows[0] ?? { claimed: 0, written: 0 };
    if (claimed === 0) return 'duplicate';
    return written === 1 ? 'applied' : 'unchanged';
  }
}

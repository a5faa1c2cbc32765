import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { PaymentRecord, RefundRecord } from '@app/square-api';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';

/**
 * applied: the payment/refund row was written; unchanged: a newer (or the same) version was
 * already stored; duplicate: the event had been applied before (its claim exists).
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'duplicate';

// Each apply is ONE statement, hence one short transaction, run after the API call:
//   claim  — insert the event id into event_claims; the primary key makes a second claim of the
//            same event impossible: a concurrent one waits for the first to commit, then finds
//            the conflict and inserts nothing;
//   upsert — only when claimed; on conflict, overwrite only with a strictly newer version
//            (Square's integer version when both have one, else a later updated_at), so an older
//            retrieval arriving late never replaces a newer row;
//   mark   — only when claimed: the event is processed, with its outcome.
// Data-modifying CTEs run on one snapshot and commit together, or not at all.

const APPLY_PAYMENT = statement<{
  event_id: string; id: string; status: string; amount: bigint | null; currency: string | null; total_amount: bigint | null;
  refunded_amount: bigint | null; location_id: string | null; order_id: string | null; customer_id: string | null;
  source_type: string | null; receipt_number: string | null; version: number | null; square_created_at: Date | null;
  square_updated_at: Date | null; data: string;
}>('apply-payment', `
  WITH claim AS (
    INSERT INTO event_claims (event_id) VALUES (:event_id) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ), upsert AS (
    INSERT INTO payments AS p (id, status, amount, currency, total_amount, refunded_amount, location_id, order_id,
      customer_id, source_type, receipt_number, version, square_created_at, square_updated_at, data, last_event_id)
    SELECT :id, :status, :amount::bigint, :currency, :total_amount::bigint, :refunded_amount::bigint, :location_id, :order_id,
      :customer_id, :source_type, :receipt_number, :version::int, :square_created_at::timestamptz, :square_updated_at::timestamptz,
      :data::jsonb, :event_id
    FROM claim
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
  ), mark AS (
    UPDATE webhook_events
    SET status = '${STATUS.processed}', processed_at = now(), updated_at = now(),
        outcome = CASE WHEN EXISTS (SELECT 1 FROM upsert) THEN 'applied' ELSE 'unchanged' END
    WHERE event_id = :event_id AND EXISTS (SELECT 1 FROM claim)
  )
  SELECT (SELECT count(*) FROM claim)::int AS claimed, (SELECT count(*) FROM upsert)::int AS written`);

const APPLY_REFUND = statement<{
  event_id: string; id: string; payment_id: string | null; status: string; amount: bigint | null; currency: string | null;
  location_id: string | null; order_id: string | null; reason: string | null; version: number | null;
  square_created_at: Date | null; square_updated_at: Date | null; data: string;
}>('apply-refund', `
  WITH claim AS (
    INSERT INTO event_claims (event_id) VALUES (:event_id) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ), upsert AS (
    INSERT INTO refunds AS r (id, payment_id, status, amount, currency, location_id, order_id, reason, version,
      square_created_at, square_updated_at, data, last_event_id)
    SELECT :id, :payment_id, :status, :amount::bigint, :currency, :location_id, :order_id, :reason, :version::int,
      :square_created_at::timestamptz, :square_updated_at::timestamptz, :data::jsonb, :event_id
    FROM claim
    ON CONFLICT (id) DO UPDATE SET
      payment_id = EXCLUDED.payment_id, status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
      location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id, reason = EXCLUDED.reason, version = EXCLUDED.version,
      square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at, data = EXCLUDED.data,
      last_event_id = EXCLUDED.last_event_id, updated_at = now()
    WHERE (EXCLUDED.version IS NOT NULL AND r.version IS NOT NULL AND EXCLUDED.version > r.version)
       OR ((EXCLUDED.version IS NULL OR r.version IS NULL)
           AND EXCLUDED.square_updated_at > COALESCE(r.square_updated_at, '-infinity'::timestamptz))
    RETURNING id
  ), mark AS (
    UPDATE webhook_events
    SET status = '${STATUS.processed}', processed_at = now(), updated_at = now(),
        outcome = CASE WHEN EXISTS (SELECT 1 FROM upsert) THEN 'applied' ELSE 'unchanged' END
    WHERE event_id = :event_id AND EXISTS (SELECT 1 FROM claim)
  )
  SELECT (SELECT count(*) FROM claim)::int AS claimed, (SELECT count(*) FROM upsert)::int AS written`);

@Injectable()
export class SquareEffectsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async applyPayment(eventId: string, p: PaymentRecord): Promise<ApplyOutcome> {
    return this.outcome(APPLY_PAYMENT.bind({
      event_id: eventId, id: p.id, status: p.status, amount: p.amount, currency: p.currency, total_amount: p.totalAmount,
      refunded_amount: p.refundedAmount, location_id: p.locationId, order_id: p.orderId, customer_id: p.customerId,
      source_type: p.sourceType, receipt_number: p.receiptNumber, version: p.version, square_created_at: p.createdAt,
      square_updated_at: p.updatedAt, data: p.json,
    }));
  }

  async applyRefund(eventId: string, r: RefundRecord): Promise<ApplyOutcome> {
    return this.outcome(APPLY_REFUND.bind({
      event_id: eventId, id: r.id, payment_id: r.paymentId, status: r.status, amount: r.amount, currency: r.currency,
      location_id: r.locationId, order_id: r.orderId, reason: r.reason, version: r.version, square_created_at: r.createdAt,
      square_updated_at: r.updatedAt, data: r.json,
    }));
  }

  private async outcome(query: pg.QueryConfig<unknown[]>): Promise<ApplyOutcome> {
    const { rows } = await this.pool.query<{ claimed: number; written: number }>(query);
    const { claimed, written } = rows[0]!; // the final SELECT always returns one row
    if (claimed === 0) return 'duplicate';
    return written === 1 ? 'applied' : 'unchanged';
  }
}

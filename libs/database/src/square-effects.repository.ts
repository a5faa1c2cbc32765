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

/** A column of the upserted row, in the order of the values given, with its parameter's cast. */
type Column = readonly [name: string, cast?: string];

/**
 * The whole statement for one table: $1 is the event id, $2… the columns' values. Every column
 * but the id is overwritten by a newer row, so a column added here is also kept up to date.
 */
function applyStatement(table: string, columns: readonly Column[]): string {
  const names = [...columns.map(([name]) => name), 'last_event_id'];
  const params = [...columns.map(([, cast], i) => `$${i + 2}${cast ? `::${cast}` : ''}`), '$1'];
  const updates = names.filter((name) => name !== 'id').map((name) => `${name} = EXCLUDED.${name}`);
  return `
    WITH claim AS (
      INSERT INTO event_claims (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
    ), upsert AS (
      INSERT INTO ${table} (${names.join(', ')})
      SELECT ${params.join(', ')} FROM claim
      ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()
      WHERE ${NEWER(table)}
      RETURNING id
    ), mark AS (
      UPDATE webhook_events
      SET status = 'processed', processed_at = now(), updated_at = now(),
          outcome = CASE WHEN EXISTS (SELECT 1 FROM upsert) THEN 'applied' ELSE 'unchanged' END
      WHERE event_id = $1 AND EXISTS (SELECT 1 FROM claim)
    )
    SELECT (SELECT count(*) FROM claim)::int AS claimed, (SELECT count(*) FROM upsert)::int AS written`;
}

const APPLY_PAYMENT = applyStatement('payments', [
  ['id'], ['status'], ['amount', 'bigint'], ['currency'], ['total_amount', 'bigint'], ['refunded_amount', 'bigint'],
  ['location_id'], ['order_id'], ['customer_id'], ['source_type'], ['receipt_number'], ['version', 'int'],
  ['square_created_at', 'timestamptz'], ['square_updated_at', 'timestamptz'], ['data', 'jsonb'],
]);

const APPLY_REFUND = applyStatement('refunds', [
  ['id'], ['payment_id'], ['status'], ['amount', 'bigint'], ['currency'], ['location_id'], ['order_id'], ['reason'],
  ['version', 'int'], ['square_created_at', 'timestamptz'], ['square_updated_at', 'timestamptz'], ['data', 'jsonb'],
]);

@Injectable()
export class SquareEffectsRepository {
  // Plain pg rather than Prisma: once per job, on the worker's hot path.
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async applyPayment(eventId: string, p: PaymentRecord): Promise<ApplyOutcome> {
    return this.apply('apply-payment', APPLY_PAYMENT, [eventId, p.id, p.status, p.amount, p.currency, p.totalAmount,
      p.refundedAmount, p.locationId, p.orderId, p.customerId, p.sourceType, p.receiptNumber, p.version, p.createdAt,
      p.updatedAt, p.json]);
  }

  async applyRefund(eventId: string, r: RefundRecord): Promise<ApplyOutcome> {
    return this.apply('apply-refund', APPLY_REFUND, [eventId, r.id, r.paymentId, r.status, r.amount, r.currency,
      r.locationId, r.orderId, r.reason, r.version, r.createdAt, r.updatedAt, r.json]);
  }

  /**
   * Prepared once per connection under `name`: parsing and planning this CTE on every job cost
   * Postgres more CPU than running it.
   */
  private async apply(name: string, text: string, values: unknown[]): Promise<ApplyOutcome> {
    const { rows } = await this.pool.query<{ claimed: number; written: number }>({ name, text, values });
    const { claimed, written } = rows[0]!; // the final SELECT always returns one row
    if (claimed === 0) return 'duplicate';
    return written === 1 ? 'applied' : 'unchanged';
  }
}

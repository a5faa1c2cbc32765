import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { MicroBatcher } from './micro-batcher.js';
import { QUEUES } from '@app/queue';
import type { SignatureAlgorithm, SquareDelivery, SquareWebhookEvent } from '@app/square';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';

export type DeliveryOutcome = 'new' | 'duplicate';

/** `eventId`: the stored event's (a v1 repeat counts as a delivery of its body's unfinished event). */
export interface RecordedDelivery {
  outcome: DeliveryOutcome;
  eventId: string;
  /** The trace context stored with the event (docs/TRACING.md): a repeat's capture span links to it. */
  traceContext: string | null;
}

export interface RecordDeliveryInput {
  /** event.json is stored: Postgres keeps its bytes as raw_body and parses it into payload. */
  event: SquareWebhookEvent;
  signatureAlgorithm: SignatureAlgorithm;
  delivery: SquareDelivery;
  /** The trace context of the capture span (`traceparent[ tracestate]`, docs/TRACING.md); null while tracing is off. */
  traceContext?: string | null;
}

/** Postgres refused this payload (its data, not the database's state): retrying cannot help. */
export class UnstorablePayloadError extends Error {}

/**
 * Whether an error is about the data sent rather than the database being unavailable: SQLSTATE
 * class 22 (data exception: invalid text, untranslatable character, value out of range…) and 54
 * (program limit exceeded: stack depth, too many columns…). Every other failure — connection,
 * timeout, shutdown, lock, disk — means "try again later". The parser refuses the payloads known
 * to cause these (parseSquareWebhook); this is what keeps the next unknown one from answering 503.
 */
export function isPayloadError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('54'));
}

// Inserts the events of one batch, or counts one more delivery of those already stored, in one
// statement (one round trip, one commit). delivery_count starts at the number of deliveries of
// the event in the batch. Whether an event is new is decided by webhook_event_ids, every id ever
// captured (the insert's trigger records the id, or skips the row when the id is known: the inbox
// is partitioned by month, and no index of it can be unique on the id alone). A row is new when
// the insert returned it; an event the reconciler recovered has delivery_count 0, and its first
// delivery is still a duplicate. A known id whose row is still there gets its delivery counted
// (the update reads the statement's snapshot: a delivery racing the first one by milliseconds is
// answered duplicate but not counted); one whose month retention dropped is a duplicate, nothing more.
// The id's received_at names the one partition to look in (pruned as the statement runs); a v2
// event (no body_key) skips the v1 lookup, and a v1 one reads the few rows of its body (OFFSET 0:
// without it the planner walked every partition's received_at index for the LIMIT 1).
// The body travels once, as text (it was checked to be UTF-8 JSON): Postgres turns it back into
// the exact bytes (raw_body) and parses it (payload).
// A legacy v1 body (body_key) whose event is still 'received' counts as one more delivery of that
// event, whatever its unsigned timestamp says (which would otherwise mint a new event id). Two
// batches racing with one body may still both insert; the worker's legacy_body_applies keeps the
// second from applying anything twice.
// Every event still 'received' gets a row in job_outbox, in the same commit: a new one its first
// job, a redelivery of one not processed yet a check that its job exists (it may have been lost
// with Redis; the job id makes adding it again a no-op otherwise). The worker's relay enqueues them.
const RECORD_DELIVERIES = statement<
  {
    event_ids: string[];
    event_types: string[];
    merchant_ids: Array<string | null>;
    algorithms: string[];
    bodies: string[];
    environments: Array<string | null>;
    initial_ats: Array<Date | null>;
    retry_numbers: Array<number | null>;
    retry_reasons: Array<string | null>;
    deliveries: number[];
    body_keys: Array<string | null>;
    trace_contexts: Array<string | null>;
    queue: string;
  },
  { event_id: string; body_key: string | null; inserted: boolean; trace_context: string | null }
>(
  'record-deliveries',
  `
  WITH incoming AS (
    SELECT COALESCE(unfinished.event_id, e.event_id) AS event_id, e.event_type, e.merchant_id, e.signature_algorithm, e.body,
      e.environment, e.initial_at, e.retry_number, e.retry_reason, e.deliveries, e.body_key, e.trace_context
    FROM unnest(:event_ids::text[], :event_types::text[], :merchant_ids::text[], :algorithms::text[], :bodies::text[],
      :environments::text[], :initial_ats::timestamptz[], :retry_numbers::int[], :retry_reasons::text[], :deliveries::int[],
      :body_keys::text[], :trace_contexts::text[])
      AS e(event_id, event_type, merchant_id, signature_algorithm, body, environment, initial_at, retry_number, retry_reason, deliveries, body_key, trace_context)
    LEFT JOIN LATERAL (
      SELECT event_id FROM (
        SELECT event_id, received_at FROM webhook_events
        WHERE e.body_key IS NOT NULL AND body_key = e.body_key AND status = '${STATUS.received}'
        OFFSET 0
      ) AS candidates
      ORDER BY received_at LIMIT 1
    ) AS unfinished ON true
  ), inserted AS (
    INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload,
      square_environment, square_initial_delivery_at, square_retry_number, square_retry_reason, delivery_count, body_key, trace_context)
    SELECT event_id, event_type, merchant_id, signature_algorithm, convert_to(body, 'UTF8'), body::jsonb, environment,
      initial_at, retry_number, retry_reason, deliveries, body_key, trace_context
    FROM incoming
    RETURNING event_id, body_key, status, replay_count, trace_context
  ), redelivered AS (
    UPDATE webhook_events AS w SET
      delivery_count = w.delivery_count + i.deliveries,
      last_delivered_at = now(),
      square_retry_number = GREATEST(w.square_retry_number, i.retry_number),
      square_retry_reason = COALESCE(i.retry_reason, w.square_retry_reason),
      updated_at = now()
    FROM incoming AS i JOIN webhook_event_ids AS ids ON ids.event_id = i.event_id
    WHERE w.event_id = i.event_id AND w.received_at = ids.received_at
    RETURNING w.event_id, w.body_key, w.status, w.replay_count, w.trace_context
  ), recorded AS (
    SELECT event_id, body_key, true AS inserted, status, replay_count, trace_context FROM inserted
    UNION ALL
    SELECT event_id, body_key, false, status, replay_count, trace_context FROM redelivered
  ), jobs AS (
    INSERT INTO job_outbox (queue, ref, generation)
    SELECT :queue, event_id, replay_count FROM recorded WHERE status = '${STATUS.received}'
    ON CONFLICT (queue, ref) DO NOTHING
  )
  SELECT event_id, body_key, inserted, trace_context FROM recorded`,
);

const KEEP_INVALID = statement<{ sha: string; body: Buffer; reason: string; algorithm: string; headers: string }>(
  'keep-invalid',
  `
  INSERT INTO invalid_webhooks (body_sha256, raw_body, reason, signature_algorithm, headers)
  VALUES (:sha, :body, :reason, :algorithm, :headers::jsonb)
  ON CONFLICT (body_sha256) DO UPDATE SET
    delivery_count = invalid_webhooks.delivery_count + 1,
    last_received_at = now()`,
);

@Injectable()
export class WebhookInboxRepository {
  private readonly batcher: MicroBatcher<RecordDeliveryInput, RecordedDelivery>;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {
    // Concurrent deliveries share round trips and commits. Measured 2026-12-01 (wrk, 50 connections,
    // this 2-core machine): 6 500-7 000 req/s batched, against 2 200-2 700 with one statement per
    // request on the same pool of 10. Two batches in flight measured best in an earlier session
    // (~2 550 req/s with 4): fewer, larger batches cost less CPU per event in Node and in Postgres.
    this.batcher = new MicroBatcher({
      handle: (items) => this.recordBatch(items),
      maxInFlight: 2,
      maxBatchSize: 200,
      maxQueued: 10_000,
    });
  }

  /**
   * Inserts the event or, when its id is already there, counts one more delivery. Concurrent
   * deliveries of one event serialize on the primary key, and exactly one of them is "new" —
   * the one that enqueues the job. Resolves once the row is committed.
   */
  recordDelivery(input: RecordDeliveryInput): Promise<RecordedDelivery> {
    return this.batcher.submit(input);
  }

  /** Keeps a signed body we could not read, once per distinct body, counting its deliveries. */
  async keepInvalid(input: {
    rawBody: Buffer;
    reason: string;
    signatureAlgorithm: SignatureAlgorithm;
    headers: Record<string, string>;
  }): Promise<void> {
    const sha = createHash('sha256').update(input.rawBody).digest('hex');
    await KEEP_INVALID.run(this.pool, {
      sha,
      body: input.rawBody,
      reason: input.reason,
      algorithm: input.signatureAlgorithm,
      headers: JSON.stringify(input.headers),
    });
  }

  private async recordBatch(items: RecordDeliveryInput[]): Promise<Array<RecordedDelivery | Error>> {
    try {
      return await this.insert(items);
    } catch (err) {
      if (!isPayloadError(err)) throw err;
      if (items.length === 1) throw asError(err);
      // One event's JSON sank the whole batch: retry each alone, so only that one fails. (The
      // pool queues what exceeds its connections; this path is rare.)
      return Promise.all(items.map((item) => this.insert([item]).then((r) => r[0]!, asError)));
    }
  }

  private async insert(items: RecordDeliveryInput[]): Promise<Array<RecordedDelivery | Error>> {
    // Several deliveries of one event (or of one v1 body) in a batch become one row (a statement
    // may not touch a row twice); the first of them is the one that may be "new".
    const groups = new Map<string, number[]>();
    items.forEach((item, i) => {
      const key = deliveryKey(item.event);
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    const rows = [...groups.values()].map((indexes) => ({
      first: items[indexes[0]!]!,
      all: indexes.map((i) => items[i]!),
    }));
    type Group = (typeof rows)[number];
    const record = async (batch: Group[]) =>
      (
        await RECORD_DELIVERIES.run(this.pool, {
          event_ids: batch.map((r) => r.first.event.eventId),
          event_types: batch.map((r) => r.first.event.type),
          merchant_ids: batch.map((r) => r.first.event.merchantId),
          algorithms: batch.map((r) => r.first.signatureAlgorithm),
          bodies: batch.map((r) => r.first.event.json),
          environments: batch.map((r) => r.first.delivery.environment),
          initial_ats: batch.map((r) => r.first.delivery.initialDeliveryAt),
          retry_numbers: batch.map((r) => maxOf(r.all.map((d) => d.delivery.retryNumber))),
          retry_reasons: batch.map(
            (r) =>
              r.all
                .map((d) => d.delivery.retryReason)
                .filter(Boolean)
                .at(-1) ?? null,
          ),
          deliveries: batch.map((r) => r.all.length),
          body_keys: batch.map((r) => r.first.event.bodyKey),
          trace_contexts: batch.map((r) => r.first.traceContext ?? null),
          queue: QUEUES.squareEvents,
        })
      ).rows;
    const stored = await record(rows);
    // A delivery whose id another batch inserted while this statement ran: its id's row, committed
    // meanwhile, skipped the insert, but this statement's snapshot does not see it, so nothing counted
    // the delivery. Once more for those alone: the new snapshot sees the row (a concurrent storm of
    // one event, test/ingress.e2e-spec.ts).
    const seen = new Set(stored.map((s) => s.body_key ?? s.event_id));
    const missed = rows.filter((r) => !seen.has(deliveryKey(r.first.event)));
    if (missed.length > 0) stored.push(...(await record(missed)));
    const byKey = new Map(stored.map((s) => [s.body_key ?? s.event_id, s]));
    return items.map((item, i) => {
      const key = deliveryKey(item.event);
      const row = byKey.get(key);
      return {
        outcome: groups.get(key)![0] === i && row?.inserted ? 'new' : 'duplicate',
        eventId: row?.event_id ?? item.event.eventId,
        traceContext: row?.trace_context ?? null,
      };
    });
  }
}

/** What makes deliveries one: the event id, or for a v1 notification its signed body. */
function deliveryKey(event: SquareWebhookEvent): string {
  return event.bodyKey ?? event.eventId;
}

function maxOf(values: Array<number | null>): number | null {
  const numbers = values.filter((v): v is number => v !== null);
  return numbers.length > 0 ? Math.max(...numbers) : null;
}

function asError(err: unknown): Error {
  if (isPayloadError(err)) return new UnstorablePayloadError((err as Error).message);
  return err instanceof Error ? err : new Error(String(err));
}

/** The Postgres SQLSTATE of an error: pg's own `code`, or nested by Prisma in meta.driverAdapterError. */
export function sqlState(err: unknown): string | undefined {
  const direct = (err as { code?: unknown; severity?: unknown })?.code;
  if (typeof direct === 'string' && (err as { severity?: unknown }).severity !== undefined) return direct;
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === 'string' ? code : undefined;
}

import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { REJECTED_KEPT, latestRejectedDeliveries, type RejectedDelivery } from './rejected-deliveries.repository.js';

/** The console's overview: one row of figures. */
export interface Overview {
  receivedHour: number;
  processedHour: number;
  deadLetteredHour: number;
  receivedDay: number;
  processedDay: number;
  deadLetteredDay: number;
  /** Events only the Events API had (the reconciler recovered them), last day. */
  webhookGapDay: number;
  /** received_at of the oldest event still waiting (null: none waits). */
  oldestWaitingAt: Date | null;
  waiting: number;
  sellersNeedingReauth: number;
  invalidDay: number;
  reconcilers: Array<{
    name: string;
    checkedUntil: Date;
    lastRunAt: Date | null;
    lastFound: number;
    lastRecovered: number;
  }>;
  /** Deliveries created in the last day, per destination and status. */
  deliveries: Array<{ destination: string; status: string; count: number; lastError: string | null }>;
}

export interface DeadLetterGroup {
  reason: string;
  eventType: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

export interface SellerRow {
  merchantId: string;
  status: string;
  statusReason: string | null;
  expiresAt: Date | null;
  refreshedAt: Date | null;
  refreshFailures: number;
  lastRefreshError: string | null;
}

export interface InvalidWebhookRow {
  id: string;
  reason: string;
  signatureAlgorithm: string;
  deliveryCount: number;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
  /** The first 2 KiB of the body, as UTF-8. */
  bodyStart: string;
}

// The windows count events by when they were received (the received_at index): "processed" is
// what became of the hour's or day's arrivals.
const WINDOWS = statement<
  Record<string, never>,
  Pick<
    Overview,
    | 'receivedHour'
    | 'processedHour'
    | 'deadLetteredHour'
    | 'receivedDay'
    | 'processedDay'
    | 'deadLetteredDay'
    | 'webhookGapDay'
  >
>(
  'console-overview-windows',
  `
  SELECT count(*) FILTER (WHERE received_at >= now() - interval '1 hour')::int AS "receivedHour",
         count(*) FILTER (WHERE received_at >= now() - interval '1 hour' AND status = '${STATUS.processed}')::int AS "processedHour",
         count(*) FILTER (WHERE received_at >= now() - interval '1 hour' AND status = '${STATUS.dead_lettered}')::int AS "deadLetteredHour",
         count(*)::int AS "receivedDay",
         count(*) FILTER (WHERE status = '${STATUS.processed}')::int AS "processedDay",
         count(*) FILTER (WHERE status = '${STATUS.dead_lettered}')::int AS "deadLetteredDay",
         count(*) FILTER (WHERE source = 'events_api')::int AS "webhookGapDay"
  FROM webhook_events WHERE received_at >= now() - interval '1 day'`,
);

const WAITING = statement<Record<string, never>, Pick<Overview, 'oldestWaitingAt' | 'waiting'>>(
  'console-overview-waiting',
  `
  SELECT min(received_at) AS "oldestWaitingAt", count(*)::int AS waiting FROM webhook_events_open WHERE status = '${STATUS.received}'`,
);

const SIDE = statement<Record<string, never>, Pick<Overview, 'sellersNeedingReauth' | 'invalidDay'>>(
  'console-overview-side',
  `
  SELECT (SELECT count(*)::int FROM merchant_tokens WHERE status = 'needs_reauth') AS "sellersNeedingReauth",
         (SELECT count(*)::int FROM invalid_webhooks WHERE last_received_at >= now() - interval '1 day') AS "invalidDay"`,
);

const RECONCILERS = statement<Record<string, never>, Overview['reconcilers'][number]>(
  'console-overview-reconcilers',
  `
  SELECT name, checked_until AS "checkedUntil", last_run_at AS "lastRunAt", last_found AS "lastFound", last_recovered AS "lastRecovered"
  FROM reconcile_checkpoints ORDER BY name`,
);

const DELIVERIES = statement<Record<string, never>, Overview['deliveries'][number]>(
  'console-overview-deliveries',
  `
  SELECT destination, status::text AS status, count(*)::int AS count,
         (array_agg(last_error ORDER BY updated_at DESC) FILTER (WHERE last_error IS NOT NULL))[1] AS "lastError"
  FROM forward_deliveries WHERE created_at >= now() - interval '1 day'
  GROUP BY destination, status ORDER BY destination, status`,
);

// Purged ones are left out: they can no longer be replayed. The dead letters come from the open
// list (webhook_events_open: no index of the inbox names status), each row from its own month.
const DEAD_LETTER_GROUPS = statement<Record<string, never>, DeadLetterGroup>(
  'console-dead-letter-groups',
  `
  SELECT coalesce(dead_letter_reason, 'unknown') AS reason, event_type AS "eventType", count(*)::int AS count,
         min(dead_lettered_at) AS "firstAt", max(dead_lettered_at) AS "lastAt"
  FROM webhook_events_open o JOIN webhook_events w USING (event_id, received_at)
  WHERE o.status = '${STATUS.dead_lettered}' AND w.status = '${STATUS.dead_lettered}' AND w.purged_at IS NULL
  GROUP BY 1, 2 ORDER BY count DESC, reason, "eventType" LIMIT 500`,
);

const SELLERS = statement<Record<string, never>, SellerRow>(
  'console-sellers',
  `
  SELECT merchant_id AS "merchantId", status::text AS status, status_reason AS "statusReason", expires_at AS "expiresAt",
         refreshed_at AS "refreshedAt", refresh_failures AS "refreshFailures", last_refresh_error AS "lastRefreshError"
  FROM merchant_tokens ORDER BY (status = 'active'), expires_at NULLS LAST, merchant_id LIMIT 1000`,
);

const INVALID = statement<Record<string, never>, InvalidWebhookRow>(
  'console-invalid-webhooks',
  `
  SELECT id::text AS id, reason, signature_algorithm AS "signatureAlgorithm", delivery_count AS "deliveryCount",
         first_received_at AS "firstReceivedAt", last_received_at AS "lastReceivedAt",
         convert_from(substring(raw_body FROM 1 FOR 2048), 'UTF8') AS "bodyStart"
  FROM invalid_webhooks ORDER BY last_received_at DESC LIMIT 100`,
);

const OBJECT_OF = statement<{ object_id: string }, MirroredObject>(
  'console-mirrored-object',
  `
  SELECT object_type AS "objectType", version::text AS version, deleted, source, last_event_id AS "lastEventId", updated_at AS "updatedAt"
  FROM square_objects WHERE object_id = :object_id
  UNION ALL SELECT 'payment', version::text, false, 'api', last_event_id, updated_at FROM payments WHERE id = :object_id
  UNION ALL SELECT 'refund', version::text, false, 'api', last_event_id, updated_at FROM refunds WHERE id = :object_id
  LIMIT 5`,
);

export interface MirroredObject {
  objectType: string;
  version: string | null;
  deleted: boolean;
  source: string;
  lastEventId: string;
  updatedAt: Date;
}

/** Read-only figures and lists for the admin console's pages (the event list is EventQueryRepository's). */
@Injectable()
export class ConsoleQueryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async overview(): Promise<Overview> {
    const rows = async <R extends pg.QueryResultRow>(result: Promise<pg.QueryResult<R>>) => (await result).rows;
    const [windows, waiting, side, reconcilers, deliveries] = await Promise.all([
      rows(WINDOWS.run(this.pool, {})),
      rows(WAITING.run(this.pool, {})),
      rows(SIDE.run(this.pool, {})),
      rows(RECONCILERS.run(this.pool, {})),
      rows(DELIVERIES.run(this.pool, {})),
    ]);
    return { ...(windows[0] as Overview), ...waiting[0], ...side[0], reconcilers, deliveries };
  }

  async deadLetterGroups(): Promise<DeadLetterGroup[]> {
    return (await DEAD_LETTER_GROUPS.run(this.pool, {})).rows;
  }

  async sellers(): Promise<SellerRow[]> {
    return (await SELLERS.run(this.pool, {})).rows;
  }

  async invalidWebhooks(): Promise<InvalidWebhookRow[]> {
    return (await INVALID.run(this.pool, {})).rows;
  }

  /** The deliveries refused for their signature that the ingress kept (the last 50), with its diagnosis. */
  refusedSignatures(): Promise<RejectedDelivery[]> {
    return latestRejectedDeliveries(this.pool, REJECTED_KEPT);
  }

  /** What the mirror holds of an object (by its id, whatever its type). */
  async mirroredObject(objectId: string): Promise<MirroredObject[]> {
    return (await OBJECT_OF.run(this.pool, { object_id: objectId })).rows;
  }
}

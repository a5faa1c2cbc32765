import { Injectable } from '@nestjs/common';
import { EventSource, WebhookEventStatus } from './generated/prisma/enums.js';
import { STATUS } from './sql.js';
import { Prisma } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';

export type EventStatus = WebhookEventStatus;
export const EVENT_STATUSES: readonly EventStatus[] = Object.values(WebhookEventStatus);
export type EventOrigin = EventSource;
export const EVENT_SOURCES: readonly EventOrigin[] = Object.values(EventSource);

export interface EventListFilter {
  statuses?: readonly EventStatus[];
  types?: readonly string[];
  /** Types starting with this (`payment.` for `payment.*`). */
  typePrefix?: string;
  /** webhook, or events_api (recovered by the reconciler: the webhook gap). */
  sources?: readonly EventOrigin[];
  merchantIds?: readonly string[];
  /** The id of the object the event is about (its data.id). */
  objectId?: string;
  /** JSON the payload contains (jsonb @>), e.g. {"data":{"object":{"payment":{"status":"FAILED"}}}}. */
  contains?: Record<string, unknown>;
  /** Inclusive. */
  receivedFrom?: Date;
  /** Exclusive. */
  receivedTo?: Date;
}

/** Position after the last event of a page: (received_at, event_id), newest first. */
export interface EventCursor {
  receivedAt: Date;
  eventId: string;
}

export interface EventSummary {
  eventId: string;
  eventType: string;
  status: EventStatus;
  source: EventOrigin;
  outcome: string | null;
  attempts: number;
  /** Why the event is failing now: null once it is processed or ignored. */
  lastError: string | null;
  /** The error of an earlier attempt of an event that then succeeded: history, not its state. */
  earlierError: string | null;
  deadLetterReason: string | null;
  replayCount: number;
  deliveryCount: number;
  receivedAt: Date;
  processedAt: Date | null;
  deadLetteredAt: Date | null;
  updatedAt: Date;
}

export interface EventDetail extends EventSummary {
  merchantId: string | null;
  signatureAlgorithm: string;
  /** What Square's delivery headers said (square-environment, -initial-delivery-timestamp, -retry-*). */
  delivery: {
    environment: string | null;
    initialDeliveryAt: Date | null;
    retryNumber: number | null;
    retryReason: string | null;
    lastDeliveredAt: Date;
  };
  sweptAt: Date | null;
  /** The body exactly as received, decoded as UTF-8. */
  rawBody: string;
}

export interface EventPage {
  events: EventSummary[];
  /** Where the next page starts; null on the last page. */
  next: EventCursor | null;
}

const SUMMARY_FIELDS = {
  eventId: true,
  eventType: true,
  status: true,
  source: true,
  outcome: true,
  attempts: true,
  lastError: true,
  deadLetterReason: true,
  replayCount: true,
  deliveryCount: true,
  receivedAt: true,
  processedAt: true,
  deadLetteredAt: true,
  updatedAt: true,
} as const;

/**
 * `column = value` for one value, `= ANY(values)` for several: with one value the planner uses the
 * column's (column, received_at) index as the list's order (measured on a million rows: 530 ms
 * with ANY, 18 ms with =, for status and type filters that match nothing).
 */
function oneOf(
  column: 'status' | 'event_type' | 'source' | 'merchant_id',
  values: readonly string[],
  type: string,
): Prisma.Sql {
  return values.length === 1
    ? Prisma.sql`${Prisma.raw(column)} = ${values[0]}::${Prisma.raw(type)}`
    : Prisma.sql`${Prisma.raw(column)} = ANY(${[...values]}::${Prisma.raw(type)}[])`;
}

/**
 * last_error stays on an event that succeeded after failing (the failures' history): it is shown as
 * earlierError then, never as the error of an event that has none.
 */
function withErrorHistory<T extends { status: string; lastError: string | null }>(
  row: T,
): T & { earlierError: string | null } {
  const done = row.status === STATUS.processed || row.status === STATUS.ignored;
  return { ...row, lastError: done ? null : row.lastError, earlierError: done ? row.lastError : null };
}

// The statuses webhook_events_open lists (its migration's triggers keep it): no index of the inbox
// names status, so a list of these only is driven from there, newest first, each row read in its month.
const OPEN_STATUSES: readonly string[] = [STATUS.received, STATUS.dead_lettered];

type SummaryRow = Omit<EventSummary, 'earlierError'>;

const SUMMARY_COLUMNS = Prisma.sql`event_id AS "eventId", event_type AS "eventType", status::text AS status, source::text AS source,
  outcome, attempts, last_error AS "lastError", dead_letter_reason AS "deadLetterReason", replay_count AS "replayCount",
  delivery_count AS "deliveryCount", received_at AS "receivedAt", processed_at AS "processedAt",
  dead_lettered_at AS "deadLetteredAt", updated_at AS "updatedAt"`;

// Not fatal: a body that is not valid UTF-8 still shows, with replacement characters.
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Read-only queries over the inbox, for the admin API. */
@Injectable()
export class EventQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Newest first, keyset-paginated on (received_at, event_id): a page never repeats or skips an
   * event while new ones arrive, and every page costs the same (no OFFSET).
   */
  async list(filter: EventListFilter, limit: number, after?: EventCursor): Promise<EventPage> {
    // Raw SQL through Prisma, because jsonb containment (@>) is not in Prisma's query API. Each
    // filter is one condition with its own index (migration 20261207000000_event_filters); values
    // are bound, never spliced.
    const where: Prisma.Sql[] = [];
    if (filter.statuses?.length) where.push(oneOf('status', filter.statuses, 'webhook_event_status'));
    if (filter.types?.length) where.push(oneOf('event_type', filter.types, 'text'));
    if (filter.typePrefix !== undefined)
      where.push(Prisma.sql`event_type LIKE ${`${filter.typePrefix.replace(/[\\%_]/g, '\\$&')}%`}`);
    if (filter.sources?.length) where.push(oneOf('source', filter.sources, 'event_source'));
    if (filter.merchantIds?.length) where.push(oneOf('merchant_id', filter.merchantIds, 'text'));
    if (filter.objectId !== undefined) where.push(Prisma.sql`(payload -> 'data' ->> 'id') = ${filter.objectId}`);
    if (filter.contains !== undefined) where.push(Prisma.sql`payload @> ${JSON.stringify(filter.contains)}::jsonb`);
    // The page's window: on the inbox, and on the open list when the list is driven from there.
    const window: Prisma.Sql[] = [];
    if (filter.receivedFrom) window.push(Prisma.sql`received_at >= ${filter.receivedFrom}`);
    if (filter.receivedTo) window.push(Prisma.sql`received_at < ${filter.receivedTo}`);
    if (after) window.push(Prisma.sql`(received_at, event_id) < (${after.receivedAt}, ${after.eventId})`);
    const open = filter.statuses?.length && filter.statuses.every((s) => OPEN_STATUSES.includes(s));
    const rows = open
      ? await this.listOpen(filter.statuses!, [...where, ...window], window, limit)
      : await this.prisma.$queryRaw<SummaryRow[]>`
      SELECT ${SUMMARY_COLUMNS} FROM webhook_events
      ${where.length + window.length > 0 ? Prisma.sql`WHERE ${Prisma.join([...where, ...window], ' AND ')}` : Prisma.empty}
      ORDER BY received_at DESC, event_id DESC
      LIMIT ${limit + 1}`; // one more tells whether there is a next page
    const events = rows.slice(0, limit).map(withErrorHistory);
    const last = events.at(-1);
    return {
      events,
      next: rows.length > limit && last ? { receivedAt: last.receivedAt, eventId: last.eventId } : null,
    };
  }

  /**
   * Received or dead-lettered only: newest first from the open list's (status, received_at,
   * event_id) index, each event read from its own month (no index of the inbox names status).
   * LIMIT 1 keeps the planner from flattening the lateral into a hash join over every month
   * (1 017 ms against 1.7 ms for the first page of dead letters, docs/BENCHMARKS.md section 10).
   */
  private listOpen(
    statuses: readonly EventStatus[],
    where: Prisma.Sql[],
    window: Prisma.Sql[],
    limit: number,
  ): Promise<SummaryRow[]> {
    const listed = [oneOf('status', statuses, 'webhook_event_status'), ...window];
    return this.prisma.$queryRaw<SummaryRow[]>`
      SELECT w.* FROM (
        SELECT event_id, received_at FROM webhook_events_open WHERE ${Prisma.join(listed, ' AND ')}
      ) AS o
      CROSS JOIN LATERAL (
        SELECT ${SUMMARY_COLUMNS} FROM webhook_events
        WHERE event_id = o.event_id AND received_at = o.received_at AND ${Prisma.join(where, ' AND ')}
        LIMIT 1
      ) AS w
      ORDER BY o.received_at DESC, o.event_id DESC
      LIMIT ${limit + 1}`;
  }

  async find(eventId: string): Promise<EventDetail | null> {
    const row = await this.prisma.webhookEvent.findUnique({
      where: { eventId },
      select: {
        ...SUMMARY_FIELDS,
        merchantId: true,
        signatureAlgorithm: true,
        squareEnvironment: true,
        squareInitialDeliveryAt: true,
        squareRetryNumber: true,
        squareRetryReason: true,
        lastDeliveredAt: true,
        sweptAt: true,
        rawBody: true,
      },
    });
    if (!row) return null;
    const {
      squareEnvironment,
      squareInitialDeliveryAt,
      squareRetryNumber,
      squareRetryReason,
      lastDeliveredAt,
      rawBody,
      ...rest
    } = row;
    return {
      ...withErrorHistory(rest),
      delivery: {
        environment: squareEnvironment,
        initialDeliveryAt: squareInitialDeliveryAt,
        retryNumber: squareRetryNumber,
        retryReason: squareRetryReason,
        lastDeliveredAt,
      },
      rawBody: utf8.decode(rawBody),
    };
  }
}

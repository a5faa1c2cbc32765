import { Injectable } from '@nestjs/common';
import { EventSource, WebhookEventStatus } from './generated/prisma/enums.js';
import type { WebhookEventWhereInput } from './generated/prisma/models.js';
import { PrismaService } from './prisma.service.js';

export type EventStatus = WebhookEventStatus;
export const EVENT_STATUSES: readonly EventStatus[] = Object.values(WebhookEventStatus);
export type EventOrigin = EventSource;
export const EVENT_SOURCES: readonly EventOrigin[] = Object.values(EventSource);

export interface EventListFilter {
  statuses?: readonly EventStatus[];
  types?: readonly string[];
  /** webhook, or events_api (recovered by the reconciler: the webhook gap). */
  sources?: readonly EventOrigin[];
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
  lastError: string | null;
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
    const where: WebhookEventWhereInput[] = [];
    if (filter.statuses?.length) where.push({ status: { in: [...filter.statuses] } });
    if (filter.types?.length) where.push({ eventType: { in: [...filter.types] } });
    if (filter.sources?.length) where.push({ source: { in: [...filter.sources] } });
    if (filter.receivedFrom) where.push({ receivedAt: { gte: filter.receivedFrom } });
    if (filter.receivedTo) where.push({ receivedAt: { lt: filter.receivedTo } });
    if (after) {
      where.push({
        OR: [
          { receivedAt: { lt: after.receivedAt } },
          { receivedAt: after.receivedAt, eventId: { lt: after.eventId } },
        ],
      });
    }
    const rows = await this.prisma.webhookEvent.findMany({
      where: { AND: where },
      select: SUMMARY_FIELDS,
      orderBy: [{ receivedAt: 'desc' }, { eventId: 'desc' }],
      take: limit + 1, // one more tells whether there is a next page
    });
    const events = rows.slice(0, limit);
    const last = events.at(-1);
    return { events, next: rows.length > limit && last ? { receivedAt: last.receivedAt, eventId: last.eventId } : null };
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
    const { squareEnvironment, squareInitialDeliveryAt, squareRetryNumber, squareRetryReason, lastDeliveredAt, rawBody, ...rest } = row;
    return {
      ...rest,
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

import { Injectable } from '@nestjs/common';
import { ForwardDeliveryStatus } from './generated/prisma/enums.js';
import type { ForwardDeliveryWhereInput } from './generated/prisma/models.js';
import { isDeliveryId } from './forward-deliveries.repository.js';
import { PrismaService } from './prisma.service.js';

export type DeliveryStatus = ForwardDeliveryStatus;
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = Object.values(ForwardDeliveryStatus);

/** A delivery as the admin API lists it (the body is in DeliveryDetail). */
export interface DeliverySummary {
  id: string;
  destination: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  status: DeliveryStatus;
  attempts: number;
  /** The destination's last HTTP status; null when it never answered. */
  lastStatus: number | null;
  lastError: string | null;
  /** When the next attempt is due (pending deliveries that failed at least once). */
  nextAttemptAt: Date | null;
  firstAttemptAt: Date | null;
  deliveredAt: Date | null;
  deadLetteredAt: Date | null;
  replayCount: number;
  createdAt: Date;
}

export interface DeliveryDetail extends DeliverySummary {
  /** Exactly what is POSTed, every attempt. */
  body: string;
}

/** One attempt of a delivery (forward_attempts): status null when the destination never answered. */
export interface ForwardAttemptRow {
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

// A delivery retried for days has hundreds of attempts: its latest ones are shown.
const ATTEMPTS_SHOWN = 50;

export interface DeliveryListFilter {
  destinations?: readonly string[];
  statuses?: readonly DeliveryStatus[];
  eventIds?: readonly string[];
}

const SUMMARY_FIELDS = {
  id: true,
  destination: true,
  eventId: true,
  eventType: true,
  webhookId: true,
  status: true,
  attempts: true,
  lastStatus: true,
  lastError: true,
  nextAttemptAt: true,
  firstAttemptAt: true,
  deliveredAt: true,
  deadLetteredAt: true,
  replayCount: true,
  createdAt: true,
} as const;

/** Read-only queries over forward_deliveries, for the admin API. */
@Injectable()
export class DeliveryQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, keyset-paged on the id; `next` is the id to pass as `before` for the following page. */
  async list(
    filter: DeliveryListFilter,
    limit: number,
    before?: string,
  ): Promise<{ deliveries: DeliverySummary[]; next: string | null }> {
    const where: ForwardDeliveryWhereInput[] = [];
    if (filter.destinations?.length) where.push({ destination: { in: [...filter.destinations] } });
    if (filter.statuses?.length) where.push({ status: { in: [...filter.statuses] } });
    if (filter.eventIds?.length) where.push({ eventId: { in: [...filter.eventIds] } });
    if (before) where.push({ id: { lt: BigInt(before) } });
    const rows = await this.prisma.forwardDelivery.findMany({
      where: { AND: where },
      select: SUMMARY_FIELDS,
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const deliveries = rows.slice(0, limit).map((r) => ({ ...r, id: String(r.id) }));
    return { deliveries, next: rows.length > limit ? deliveries.at(-1)!.id : null };
  }

  /** Each delivery's latest attempts, oldest first (none for deliveries made before forward_attempts existed). */
  async attemptsOf(ids: readonly string[]): Promise<Map<string, ForwardAttemptRow[]>> {
    const byDelivery = new Map<string, ForwardAttemptRow[]>();
    await Promise.all(
      ids.filter(isDeliveryId).map(async (id) => {
        const rows = await this.prisma.forwardAttempt.findMany({
          where: { deliveryId: BigInt(id) },
          select: { at: true, statusCode: true, latencyMs: true, error: true },
          orderBy: { id: 'desc' },
          take: ATTEMPTS_SHOWN,
        });
        byDelivery.set(id, rows.reverse());
      }),
    );
    return byDelivery;
  }

  async find(id: string): Promise<DeliveryDetail | null> {
    if (!isDeliveryId(id)) return null;
    const row = await this.prisma.forwardDelivery.findUnique({
      where: { id: BigInt(id) },
      select: { ...SUMMARY_FIELDS, body: true },
    });
    return row ? { ...row, id: String(row.id) } : null;
  }
}

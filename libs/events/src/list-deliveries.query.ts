import { BadRequestException } from '@nestjs/common';
import { DELIVERY_STATUSES, isDeliveryId, type DeliveryListFilter, type DeliveryStatus } from '@app/database';
import { DEFAULT_LIMIT, clip, integer, list, single, unknownParams } from './query-params.js';

const KNOWN_PARAMS = ['destination', 'status', 'eventId', 'limit', 'cursor'] as const;

export interface ListDeliveriesQuery {
  filter: DeliveryListFilter;
  limit: number;
  /** The id the page starts below (newest first). */
  before: string | undefined;
}

/** Validates GET /admin/api/deliveries query parameters; every problem is named in one 400. */
// A destination may be one no longer in FORWARD_DESTINATIONS_FILE: its deliveries are still listed.
export function parseListDeliveriesQuery(query: Record<string, unknown>): ListDeliveriesQuery {
  const problems: string[] = [];
  unknownParams(query, KNOWN_PARAMS, problems);
  const names = list(query.destination, 'destination', problems);
  const statuses = list(query.status, 'status', problems);
  for (const s of statuses ?? []) {
    if (!(DELIVERY_STATUSES as readonly string[]).includes(s))
      problems.push(`status must be one of ${DELIVERY_STATUSES.join(', ')} (got "${clip(s)}")`);
  }
  const eventIds = list(query.eventId, 'eventId', problems);
  const limit = integer(query.limit, 'limit', problems);
  const before = single(query.cursor, 'cursor', problems);
  if (before !== undefined && !isDeliveryId(before))
    problems.push('cursor is not one this API returned (use nextCursor as given)');
  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    filter: { destinations: names, statuses: statuses as DeliveryStatus[] | undefined, eventIds },
    limit: limit ?? DEFAULT_LIMIT,
    before,
  };
}

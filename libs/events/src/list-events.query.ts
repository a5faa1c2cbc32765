import { BadRequestException } from '@nestjs/common';
import {
  EVENT_SOURCES,
  EVENT_STATUSES,
  type EventCursor,
  type EventListFilter,
  type EventOrigin,
  type EventStatus,
} from '@app/database';
import { DEFAULT_LIMIT, clip, integer, list, single, unknownParams } from './query-params.js';

export { DEFAULT_LIMIT };

const KNOWN_PARAMS = [
  'status',
  'type',
  'source',
  'merchant',
  'objectId',
  'contains',
  'receivedFrom',
  'receivedTo',
  'limit',
  'cursor',
] as const;

// A date (midnight UTC) or a date-time with an explicit zone: a zone-less time would be read in
// the server's local time zone, which the caller cannot know.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export interface ListEventsQuery {
  filter: EventListFilter;
  limit: number;
  after: EventCursor | undefined;
}

/** Validates GET /admin/api/events query parameters; every problem is named in one 400. */
export function parseListEventsQuery(query: Record<string, unknown>): ListEventsQuery {
  const problems: string[] = [];
  unknownParams(query, KNOWN_PARAMS, problems);

  const statuses = list(query.status, 'status', problems);
  for (const s of statuses ?? []) {
    if (!(EVENT_STATUSES as readonly string[]).includes(s))
      problems.push(`status must be one of ${EVENT_STATUSES.join(', ')} (got "${clip(s)}")`);
  }
  const typeItems = list(query.type, 'type', problems);
  for (const t of typeItems ?? []) if (t.length > 200) problems.push('type must be at most 200 characters');
  // `payment.*`: every payment event (one such pattern, alone: it is a prefix, not a list).
  const patterns = (typeItems ?? []).filter((t) => t.endsWith('.*'));
  if (patterns.length > 0 && typeItems!.length > 1)
    problems.push('type: a pattern such as payment.* must be the only type given');
  const typePrefix = patterns.length === 1 && typeItems!.length === 1 ? patterns[0]!.slice(0, -1) : undefined;
  const types = typePrefix === undefined ? typeItems : undefined;

  const sources = list(query.source, 'source', problems);
  for (const s of sources ?? []) {
    if (!(EVENT_SOURCES as readonly string[]).includes(s))
      problems.push(`source must be one of ${EVENT_SOURCES.join(', ')} (got "${clip(s)}")`);
  }

  const merchantIds = list(query.merchant, 'merchant', problems);
  const objectId = single(query.objectId, 'objectId', problems);
  if (objectId !== undefined && (objectId === '' || objectId.length > 200))
    problems.push('objectId must be 1 to 200 characters');
  const contains = jsonObject(query.contains, 'contains', problems);

  const receivedFrom = date(query.receivedFrom, 'receivedFrom', problems);
  const receivedTo = date(query.receivedTo, 'receivedTo', problems);
  if (receivedFrom && receivedTo && receivedFrom > receivedTo)
    problems.push('receivedFrom must not be after receivedTo');

  const limit = integer(query.limit, 'limit', problems);
  const after = query.cursor === undefined ? undefined : decodeCursor(single(query.cursor, 'cursor', problems) ?? '');
  if (query.cursor !== undefined && after === undefined)
    problems.push('cursor is not one this API returned (use nextCursor as given)');

  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    filter: {
      statuses: statuses as EventStatus[] | undefined,
      types,
      typePrefix,
      sources: sources as EventOrigin[] | undefined,
      merchantIds,
      objectId,
      contains,
      receivedFrom,
      receivedTo,
    },
    limit: limit ?? DEFAULT_LIMIT,
    after,
  };
}

/** Opaque to clients: base64url of the last event's received_at and id. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt.toISOString(), cursor.eventId])).toString('base64url');
}

export function decodeCursor(value: string): EventCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [at, eventId] = parsed as unknown[];
    if (typeof at !== 'string' || typeof eventId !== 'string' || !ISO_DATE_TIME.test(at)) return undefined;
    const receivedAt = new Date(at);
    return Number.isNaN(receivedAt.getTime()) ? undefined : { receivedAt, eventId };
  } catch {
    return undefined;
  }
}

export function date(value: unknown, name: string, problems: string[]): Date | undefined {
  const raw = single(value, name, problems);
  if (raw === undefined) return undefined;
  const parsed = new Date(raw);
  if ((!ISO_DATE.test(raw) && !ISO_DATE_TIME.test(raw)) || Number.isNaN(parsed.getTime()) || !isCalendarDate(raw)) {
    problems.push(
      `${name} must be an ISO 8601 date or date-time with a zone, e.g. 2024-05-01 or 2024-05-01T12:00:00Z (got "${clip(raw)}")`,
    );
    return undefined;
  }
  return parsed;
}

/** Date parsing rolls 2024-02-30 over to March 1st; a typo like that is an error here. */
function isCalendarDate(raw: string): boolean {
  const [y, m, d] = raw.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** A JSON object, as the payload must contain it (jsonb @>): {"type":"payment.updated"}. */
function jsonObject(value: unknown, name: string, problems: string[]): Record<string, unknown> | undefined {
  const raw = single(value, name, problems);
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && raw.length <= 4096)
      return parsed as Record<string, unknown>;
  } catch {
    // named below
  }
  problems.push(
    `${name} must be a JSON object of at most 4 KiB, e.g. {"data":{"object":{"payment":{"status":"FAILED"}}}} (got "${clip(raw)}")`,
  );
  return undefined;
}

const REPLAY_PARAMS = ['type', 'merchant', 'receivedFrom', 'receivedTo', 'dryRun'] as const;

/** POST /admin/api/dead-letters/replay: which dead-lettered events (none given: all), and whether only to count. */
export function parseReplayQuery(query: Record<string, unknown>): {
  filter: { types?: string[]; merchantIds?: string[]; since?: Date; until?: Date };
  dryRun: boolean;
} {
  const problems: string[] = [];
  unknownParams(query, REPLAY_PARAMS, problems);
  const types = list(query.type, 'type', problems);
  const merchantIds = list(query.merchant, 'merchant', problems);
  const since = date(query.receivedFrom, 'receivedFrom', problems);
  const until = date(query.receivedTo, 'receivedTo', problems);
  const dryRun = single(query.dryRun, 'dryRun', problems);
  if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') problems.push('dryRun must be true or false');
  if (problems.length > 0) throw new BadRequestException(problems);
  return { filter: { types, merchantIds, since, until }, dryRun: dryRun === 'true' };
}

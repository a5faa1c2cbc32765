import { Injectable } from '@nestjs/common';
import { HandlersConfig } from '@app/config';
import { statement, type EventTransaction } from '@app/database';
import { matchesEventType, nonEmptyStringOrNull, type EventRoute, type ObjectRef } from '@app/square';
import type { AppliedHandler, ApplyContext, ObjectWrite } from '../handlers/applied-handler.js';

export const MIRROR_HANDLER = 'square-mirror';

/**
 * The built-in mirror, a handler like the team's, first in line, in the same transaction: the
 * event's canonical object(s), kept only when strictly newer than what is stored. Payments and
 * refunds go to their typed tables; every other object to square_objects: retrieved ones
 * (source 'api'), snapshots (source 'snapshot'), deletions marked, inventory counts one row each,
 * and for a catalog version the catalog objects that changed. SQUARE_MIRROR_EVENT_TYPES says which.
 * It returns what it did with each object ('written' or 'unchanged'); the use case decides the
 * event's outcome from that.
 */
@Injectable()
export class SquareMirrorHandler implements AppliedHandler {
  readonly name = MIRROR_HANDLER;
  private readonly eventTypes: readonly string[];

  constructor(config: HandlersConfig) {
    this.eventTypes = config.mirrorEventTypes;
  }

  wants(type: string, route: EventRoute): boolean {
    return route.kind !== 'none' && route.kind !== 'invalid' && matchesEventType(this.eventTypes, type);
  }

  async handle({ event, tx, route, canonical, catalogChanges }: ApplyContext): Promise<ObjectWrite[]> {
    const merchantId = event.merchantId;
    const event_id = event.id;
    switch (route.kind) {
      case 'retrieve': {
        if (!canonical) return [];
        if (route.objectType === 'payment')
          return [written(await tx.run(UPSERT_PAYMENT, { object: canonical.json, event_id }))];
        if (route.objectType === 'refund')
          return [written(await tx.run(UPSERT_REFUND, { object: canonical.json, event_id }))];
        const row = objectValues(
          { objectType: route.objectType, id: route.id, object: canonical.object },
          canonical.json,
          'api',
          merchantId,
          event,
        );
        return [written(await tx.run(UPSERT_OBJECT, row))];
      }
      case 'snapshot':
      case 'deleted': {
        const writes: ObjectWrite[] = [];
        for (const ref of route.objects) {
          const row = objectValues(ref, ref.object ? JSON.stringify(ref.object) : null, 'snapshot', merchantId, event);
          writes.push(written(await tx.run(route.kind === 'deleted' ? MARK_DELETED : UPSERT_OBJECT, row)));
        }
        return writes;
      }
      case 'catalog_changes': {
        const writes: ObjectWrite[] = [];
        for (const change of catalogChanges) {
          const row = objectValues(
            { objectType: route.objectType, id: String(change.object.id), object: change.object },
            change.json,
            'api',
            merchantId,
            event,
          );
          writes.push(written(await tx.run(change.object.is_deleted === true ? MARK_DELETED : UPSERT_OBJECT, row)));
        }
        // A catalog version whose search found nothing newer than what is stored: the version
        // itself is what is unchanged.
        return writes.length === 0 ? ['unchanged'] : writes;
      }
      case 'none':
      case 'invalid':
        return []; // wants() turns these away: they never reach the mirror
    }
  }
}

/** Each statement returns the row it wrote; none when the stored one is as new or newer. */
function written(result: Awaited<ReturnType<EventTransaction['run']>>): ObjectWrite {
  return result.rows.length > 0 ? 'written' : 'unchanged';
}

/** A row of square_objects: version and times read out of the object itself. */
function objectValues(
  ref: ObjectRef,
  json: string | null,
  source: 'api' | 'snapshot',
  merchantId: string | null,
  event: { id: string; createdAt: string | null },
): ObjectValues {
  const o = ref.object ?? {};
  return {
    object_type: ref.objectType,
    object_id: ref.id,
    merchant_id: merchantId ?? nonEmptyStringOrNull(o.merchant_id),
    location_id: nonEmptyStringOrNull(o.location_id),
    version: typeof o.version === 'number' && Number.isInteger(o.version) ? String(o.version) : null,
    updated_at: date(ref.changedAt ?? o.updated_at),
    source,
    object: json,
    event_id: event.id,
    event_created_at: date(event.createdAt),
  };
}

/** A timestamp Postgres will take, or null (a malformed one in a snapshot must not fail the event). */
function date(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

// The mirror's statements, run in the event's transaction. Each returns the row it wrote, none
// when a newer one was stored.

/** The values of one row of square_objects (version and times read out of the object beforehand). */
export type ObjectValues = {
  object_type: string;
  object_id: string;
  merchant_id: string | null;
  location_id: string | null;
  version: string | null;
  updated_at: Date | null;
  source: 'api' | 'snapshot';
  object: string | null;
  event_id: string;
  event_created_at: Date | null;
};

// The mirror reads the columns people query out of the canonical object itself, so the one object
// handlers see is the one stored. A row is only replaced by a strictly newer one: Square's integer
// version when both have one, else a later updated_at; an older retrieval arriving late changes nothing.
export const UPSERT_PAYMENT = statement<{ object: string; event_id: string }, { id: string }>(
  'upsert-payment',
  `
  INSERT INTO payments AS p (id, status, amount, currency, total_amount, refunded_amount, location_id, order_id,
    customer_id, source_type, receipt_number, version, square_created_at, square_updated_at, data, last_event_id)
  SELECT o->>'id', COALESCE(o->>'status', 'UNKNOWN'), (o#>>'{amount_money,amount}')::bigint, o#>>'{amount_money,currency}',
    (o#>>'{total_money,amount}')::bigint, (o#>>'{refunded_money,amount}')::bigint, o->>'location_id', o->>'order_id',
    o->>'customer_id', o->>'source_type', o->>'receipt_number',
    CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::int END,
    (o->>'created_at')::timestamptz, (o->>'updated_at')::timestamptz, o, :event_id
  FROM (SELECT :object::jsonb AS o) AS canonical
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency, total_amount = EXCLUDED.total_amount,
    refunded_amount = EXCLUDED.refunded_amount, location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id,
    customer_id = EXCLUDED.customer_id, source_type = EXCLUDED.source_type, receipt_number = EXCLUDED.receipt_number,
    version = EXCLUDED.version, square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at,
    data = EXCLUDED.data, last_event_id = EXCLUDED.last_event_id, updated_at = now()
  WHERE (EXCLUDED.version IS NOT NULL AND p.version IS NOT NULL AND EXCLUDED.version > p.version)
     OR ((EXCLUDED.version IS NULL OR p.version IS NULL)
         AND EXCLUDED.square_updated_at > COALESCE(p.square_updated_at, '-infinity'::timestamptz))
  RETURNING id`,
);

export const UPSERT_REFUND = statement<{ object: string; event_id: string }, { id: string }>(
  'upsert-refund',
  `
  INSERT INTO refunds AS r (id, payment_id, status, amount, currency, location_id, order_id, reason, version,
    square_created_at, square_updated_at, data, last_event_id)
  SELECT o->>'id', o->>'payment_id', COALESCE(o->>'status', 'UNKNOWN'), (o#>>'{amount_money,amount}')::bigint,
    o#>>'{amount_money,currency}', o->>'location_id', o->>'order_id', o->>'reason',
    CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::int END,
    (o->>'created_at')::timestamptz, (o->>'updated_at')::timestamptz, o, :event_id
  FROM (SELECT :object::jsonb AS o) AS canonical
  ON CONFLICT (id) DO UPDATE SET
    payment_id = EXCLUDED.payment_id, status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
    location_id = EXCLUDED.location_id, order_id = EXCLUDED.order_id, reason = EXCLUDED.reason, version = EXCLUDED.version,
    square_created_at = EXCLUDED.square_created_at, square_updated_at = EXCLUDED.square_updated_at, data = EXCLUDED.data,
    last_event_id = EXCLUDED.last_event_id, updated_at = now()
  WHERE (EXCLUDED.version IS NOT NULL AND r.version IS NOT NULL AND EXCLUDED.version > r.version)
     OR ((EXCLUDED.version IS NULL OR r.version IS NULL)
         AND EXCLUDED.square_updated_at > COALESCE(r.square_updated_at, '-infinity'::timestamptz))
  RETURNING id`,
);

// The same rule as payments': only a strictly newer row replaces the stored one — a higher version
// when both have one, else a later updated_at; for objects with neither, a later event. So a stale
// snapshot never replaces a retrieved object, and events arriving out of order change nothing.
export const UPSERT_OBJECT = statement<ObjectValues, { object_id: string }>(
  'upsert-object',
  `
  INSERT INTO square_objects AS s (object_type, object_id, merchant_id, location_id, version, square_updated_at,
    deleted, source, data, last_event_id, event_created_at)
  VALUES (:object_type, :object_id, :merchant_id, :location_id, :version::bigint, :updated_at::timestamptz,
    false, :source, :object::jsonb, :event_id, :event_created_at::timestamptz)
  ON CONFLICT (object_type, object_id) DO UPDATE SET
    merchant_id = EXCLUDED.merchant_id, location_id = EXCLUDED.location_id, version = EXCLUDED.version,
    square_updated_at = EXCLUDED.square_updated_at, deleted = false, source = EXCLUDED.source, data = EXCLUDED.data,
    last_event_id = EXCLUDED.last_event_id, event_created_at = EXCLUDED.event_created_at, updated_at = now()
  WHERE (EXCLUDED.version IS NOT NULL AND s.version IS NOT NULL AND EXCLUDED.version > s.version)
     OR ((EXCLUDED.version IS NULL OR s.version IS NULL)
         AND EXCLUDED.square_updated_at > COALESCE(s.square_updated_at, '-infinity'::timestamptz))
     OR (EXCLUDED.version IS NULL AND s.version IS NULL AND EXCLUDED.square_updated_at IS NULL AND s.square_updated_at IS NULL
         AND EXCLUDED.event_created_at > COALESCE(s.event_created_at, '-infinity'::timestamptz))
  RETURNING object_id`,
);

// A deletion is final: the row is marked, and keeps its last data.
export const MARK_DELETED = statement<ObjectValues, { object_id: string }>(
  'mark-object-deleted',
  `
  INSERT INTO square_objects AS s (object_type, object_id, merchant_id, location_id, version, square_updated_at,
    deleted, source, data, last_event_id, event_created_at)
  VALUES (:object_type, :object_id, :merchant_id, :location_id, :version::bigint, :updated_at::timestamptz,
    true, :source, COALESCE(:object::jsonb, '{}'::jsonb), :event_id, :event_created_at::timestamptz)
  ON CONFLICT (object_type, object_id) DO UPDATE SET deleted = true, last_event_id = EXCLUDED.last_event_id, updated_at = now()
  WHERE NOT s.deleted
  RETURNING object_id`,
);

// Where a catalog version's search starts: when an object of this type and merchant last changed,
// of those stored (read before the event's transaction opens).
export const LAST_CHANGE = statement<{ object_type: string; merchant_id: string | null }, { at: Date | null }>(
  'last-object-change',
  `
  SELECT max(square_updated_at) AS at FROM square_objects
  WHERE object_type = :object_type AND merchant_id IS NOT DISTINCT FROM :merchant_id`,
);

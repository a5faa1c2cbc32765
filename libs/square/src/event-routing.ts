import { EVENT_CATALOG } from './event-catalog.js';
import type { JsonObject } from './webhook-event.js';

// Which Square object an event is about, and how the pipeline gets its canonical form (the table
// is EVENT_CATALOG). Snapshots in webhooks arrive out of order and may be stale or partial, so an
// object with a single-object GET is always retrieved from the API by id; the others are taken
// from the event's own data.object.

/** One object an event carries (or names, for a deletion). */
export interface ObjectRef {
  objectType: string;
  id: string;
  object: JsonObject | null;
  /** When the object last changed, when the route knows a field other than updated_at for it. */
  changedAt?: string;
}

export type EventRoute =
  /** Retrieve the object of `objectType` with `id` from Square's API. */
  | { kind: 'retrieve'; objectType: string; id: string }
  /** The event's own copy of the object(s): no single-object GET exists. */
  | { kind: 'snapshot'; objects: ObjectRef[] }
  /** The object was deleted: it is marked so, keeping its last data. */
  | { kind: 'deleted'; objects: ObjectRef[] }
  /** The catalog changed (to the version of `versionUpdatedAt`): search what changed and mirror it. */
  | { kind: 'catalog_changes'; objectType: string; versionUpdatedAt: string | null }
  /** The event names no object this pipeline reads: only handlers that asked for it see it. */
  | { kind: 'none'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Legacy v1 notification type (entity_id is the payment id). */
const LEGACY_PAYMENT_UPDATED = 'PAYMENT_UPDATED';
const MAX_ID_LENGTH = 255;

export function routeSquareEvent(type: string, payload: JsonObject): EventRoute {
  if (type === LEGACY_PAYMENT_UPDATED) {
    const id = payload.entity_id;
    return isId(id)
      ? { kind: 'retrieve', objectType: 'payment', id }
      : { kind: 'invalid', reason: 'payment event without a usable entity_id' };
  }
  const data = asObject(payload.data);
  const entry = EVENT_CATALOG[type];
  if (!entry) return unknownType(data);
  const route = entry.route;
  switch (route.how) {
    case 'none':
      return { kind: 'none', reason: route.reason };
    case 'deleted':
      return withId(route.objectType, data, (id) => ({
        kind: 'deleted',
        objects: [{ objectType: route.objectType, id, object: onlyObject(data) }],
      }));
    case 'retrieve':
      if (data?.deleted === true)
        return withId(route.objectType, data, (id) => ({
          kind: 'deleted',
          objects: [{ objectType: route.objectType, id, object: null }],
        }));
      return withId(route.objectType, data, (id) => ({ kind: 'retrieve', objectType: route.objectType, id }));
    case 'snapshot': {
      const object = asObject(asObject(data?.object)?.[route.snapshotKey]);
      const id = isId(data?.id) ? data.id : object?.id;
      if (!isId(id) || !object)
        return {
          kind: 'invalid',
          reason: `${route.objectType} event without a usable data.id and data.object.${route.snapshotKey}`,
        };
      return {
        kind: data?.deleted === true ? 'deleted' : 'snapshot',
        objects: [{ objectType: route.objectType, id, object }],
      };
    }
    case 'counts': {
      const list = asObject(data?.object)?.[route.listKey];
      if (!Array.isArray(list))
        return { kind: 'invalid', reason: `${route.objectType} event without data.object.${route.listKey}` };
      const objects: ObjectRef[] = [];
      for (const item of list) {
        const object = asObject(item);
        const parts = route.idFields.map((field) => object?.[field]);
        if (!object || !parts.every((p) => typeof p === 'string' && p !== ''))
          return { kind: 'invalid', reason: `a ${route.objectType} without ${route.idFields.join(', ')}` };
        const changedAt = object[route.updatedAtField];
        objects.push({
          objectType: route.objectType,
          id: parts.join(':'),
          object,
          ...(typeof changedAt === 'string' ? { changedAt } : {}),
        });
      }
      return { kind: 'snapshot', objects };
    }
    case 'catalog_changes': {
      const updatedAt = asObject(asObject(data?.object)?.catalog_version)?.updated_at;
      return {
        kind: 'catalog_changes',
        objectType: route.objectType,
        versionUpdatedAt: typeof updatedAt === 'string' ? updatedAt : null,
      };
    }
  }
}

/**
 * A type Square added after the SDK this table comes from: stored from its snapshot rather than
 * dropped, under data.type (Square's own name for the object), when the event carries one object.
 */
function unknownType(data: JsonObject | undefined): EventRoute {
  const object = onlyObject(data);
  const objectType = typeof data?.type === 'string' ? data.type : undefined;
  const id = isId(data?.id) ? data.id : object?.id;
  if (!object || !objectType || !isId(id))
    return { kind: 'none', reason: 'a type this version does not know, without one object in data.object' };
  return { kind: data?.deleted === true ? 'deleted' : 'snapshot', objects: [{ objectType, id, object }] };
}

function withId(objectType: string, data: JsonObject | undefined, route: (id: string) => EventRoute): EventRoute {
  return isId(data?.id) ? route(data.id) : { kind: 'invalid', reason: `${objectType} event without a usable data.id` };
}

/** data.object's single value when it holds exactly one object (Square nests it under the object's kind). */
function onlyObject(data: JsonObject | undefined): JsonObject | null {
  const values = Object.values(asObject(data?.object) ?? {});
  return values.length === 1 ? (asObject(values[0]) ?? null) : null;
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

/** A snapshot's object for handlers: the one object, or the event's data.object when it carries several. */
export function snapshotObject(route: EventRoute, payload: JsonObject): JsonObject | null {
  if (route.kind !== 'snapshot' && route.kind !== 'deleted') return null;
  if (route.objects.length === 1) return route.objects[0]!.object;
  const data = payload.data as JsonObject | undefined;
  return (data?.object as JsonObject | undefined) ?? null;
}

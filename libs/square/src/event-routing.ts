import type { JsonObject } from './webhook-event.js';

// Which Square object an event is about, and whether this pipeline applies it. Events carry a
// snapshot of the object, but snapshots arrive out of order and may be stale, so the worker
// always retrieves the canonical object from the API by id.

export type EventRoute =
  /** Retrieve the object of `objectType` with `id` from Square's API. */
  | { kind: 'retrieve'; objectType: 'payment' | 'refund'; id: string }
  /** The event names no object this pipeline reads: only handlers that asked for it see it. */
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string };

const PAYMENT_EVENTS = new Set(['payment.created', 'payment.updated']);
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated']);
/** Legacy v1 notification type (entity_id is the payment id). */
const LEGACY_PAYMENT_UPDATED = 'PAYMENT_UPDATED';

export function routeSquareEvent(type: string, payload: JsonObject): EventRoute {
  if (type === LEGACY_PAYMENT_UPDATED) return withId('payment', payload.entity_id, 'entity_id');
  if (PAYMENT_EVENTS.has(type)) return withId('payment', dataId(payload), 'data.id');
  if (REFUND_EVENTS.has(type)) return withId('refund', dataId(payload), 'data.id');
  return { kind: 'none' };
}

function dataId(payload: JsonObject): unknown {
  const data = payload.data;
  return data && typeof data === 'object' ? (data as JsonObject).id : undefined;
}

function withId(objectType: 'payment' | 'refund', id: unknown, field: string): EventRoute {
  if (typeof id === 'string' && id.length > 0 && id.length <= 255) return { kind: 'retrieve', objectType, id };
  return { kind: 'invalid', reason: `${objectType} event without a usable ${field}` };
}

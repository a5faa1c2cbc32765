import { createHash } from 'node:crypto';
import type { HandlerEvent, JsonObject } from '@app/handlers';
import type { EventRoute } from '@app/square';

/**
 * Standard Webhooks webhook-id of an event's delivery to a destination: the same for every attempt
 * and replay (receivers deduplicate on it), different per destination.
 */
export function webhookIdFor(destination: string, eventId: string): string {
  return `msg_${createHash('sha256').update(destination).update('\n').update(eventId).digest('base64url').slice(0, 27)}`;
}

/** The object an event is about, as its route says: type and id (null when it names none, or several). */
function subject(route: EventRoute): { type: string | null; id: string | null } {
  switch (route.kind) {
    case 'retrieve':
      return { type: route.objectType, id: route.id };
    case 'snapshot':
    case 'deleted':
      return {
        type: route.objects[0]?.objectType ?? null,
        id: route.objects.length === 1 ? route.objects[0]!.id : null,
      };
    case 'catalog_changes':
      return { type: route.objectType, id: null };
    default:
      return { type: null, id: null };
  }
}

/**
 * What a destination receives (docs/FORWARDING.md): the Square event type,
 * when it happened, and the event with its canonical object, as JSON text. Fixed when the event is
 * applied: every attempt sends the same bytes.
 */
export function forwardBody(event: HandlerEvent, route: EventRoute, object: JsonObject | null): string {
  const { type, id } = subject(route);
  return JSON.stringify({
    type: event.type,
    timestamp: event.createdAt ?? new Date().toISOString(),
    data: {
      event_id: event.id,
      merchant_id: event.merchantId,
      object_type: type,
      object_id: id,
      object,
      event: event.payload,
    },
  });
}

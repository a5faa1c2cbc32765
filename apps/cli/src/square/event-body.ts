import { randomUUID } from 'node:crypto';
import type { JsonObject } from '@app/square';

// Small, pure operations on a webhook body for the CLI's messages and --new-id.

/**
 * The same event with a fresh event_id and created_at, so the pipeline takes it as new rather
 * than as a redelivery. Undefined for a body without event_id (a legacy v1 notification: its
 * id is derived from the delivery timestamp, which is fresh on every send anyway).
 */
export function withNewEventId(
  body: Buffer,
  eventId: string = randomUUID(),
  now: Date = new Date(),
): Buffer | undefined {
  const event = parseObject(body);
  if (event === undefined) throw new Error('--new-id needs a JSON object body');
  if (typeof event.event_id !== 'string') return undefined;
  // Compact, like Square's own bodies; the order of the other fields is kept.
  return Buffer.from(JSON.stringify({ ...event, event_id: eventId, created_at: now.toISOString() }));
}

/** "payment.updated 7d4e2a91-…", "legacy v1 PAYMENT_UPDATED", or what the body is when not an event. */
export function describeEvent(body: Buffer): string {
  const event = parseObject(body);
  if (event === undefined) return `a body that is not a JSON object (${body.length} bytes)`;
  if (typeof event.type === 'string')
    return `${event.type} ${typeof event.event_id === 'string' ? event.event_id : '(no event_id)'}`;
  if (typeof event.event_type === 'string') return `legacy v1 ${event.event_type}`;
  return `a JSON object without type (${body.length} bytes)`;
}

function parseObject(body: Buffer): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

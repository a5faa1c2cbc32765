import { createHash } from 'node:crypto';

// Reads a verified Square webhook body. Two shapes exist:
// - v2 events: {"merchant_id","type":"payment.updated","event_id","created_at","data":{...}}
// - legacy v1 notifications: {"merchant_id","location_id","event_type":"PAYMENT_UPDATED","entity_id"}
//   which carry no event id, so one is derived (see legacyEventId).

export type JsonObject = { [key: string]: unknown };

export interface SquareWebhookEvent {
  eventId: string;
  /** v2 type ("payment.updated") or v1 event_type ("PAYMENT_UPDATED"). */
  type: string;
  merchantId: string | null;
  /** The body as text, checked to be UTF-8 JSON: the inbox sends it to Postgres as is. */
  json: string;
}

export type ParseWebhookResult =
  | { ok: true; event: SquareWebhookEvent }
  | { ok: false; reason: string };

const MAX_ID_LENGTH = 255;

export function parseSquareWebhook(rawBody: Buffer, initialDeliveryTimestamp?: string): ParseWebhookResult {
  let json: string;
  let payload: unknown;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so the text is exactly the bytes received
    // (and JSON.parse refuses it, as Postgres would).
    json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody);
    payload = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'body is not valid UTF-8 JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  const body = payload as JsonObject;
  const merchantId = typeof body.merchant_id === 'string' ? body.merchant_id : null;

  if (body.event_id !== undefined || body.type !== undefined) {
    if (!isId(body.event_id)) return { ok: false, reason: 'event_id must be a non-empty string' };
    if (!isId(body.type)) return { ok: false, reason: 'type must be a non-empty string' };
    return { ok: true, event: { eventId: body.event_id, type: body.type, merchantId, json } };
  }
  if (isId(body.event_type) && isId(body.entity_id)) {
    const eventId = legacyEventId(rawBody, initialDeliveryTimestamp);
    return { ok: true, event: { eventId, type: body.event_type, merchantId, json } };
  }
  return { ok: false, reason: 'body has no event_id and type (nor a legacy event_type and entity_id)' };
}

/**
 * v1 notifications have no id. Square's retries of one notification repeat the same body and
 * the same square-initial-delivery-timestamp, so both together identify it; a later update of
 * the same payment has a new timestamp and therefore a new id (the body alone would merge it
 * into the first one and the update would never be fetched).
 */
export function legacyEventId(rawBody: Buffer, initialDeliveryTimestamp?: string): string {
  const hash = createHash('sha256').update(rawBody);
  if (initialDeliveryTimestamp) hash.update('\n').update(initialDeliveryTimestamp);
  return `v1:${hash.digest('hex')}`;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
    && !/[\u0000-\u001f]/.test(value);
}

import { createHash } from 'node:crypto';

// Reads a verified Square webhook body. Two shapes exist:
// - v2 events: {"merchant_id","type":"payment.updated","event_id","created_at","data":{...}}
// - legacy v1 notifications: {"merchant_id","location_id","event_type":"PAYMENT_UPDATED","entity_id"}
//   which carry no event id, so one is derived (see legacyEventId).

/** A JSON object as parsed: the one declaration (libs/handlers, libs/testing and the CLI import it). */
export type JsonObject = { [key: string]: unknown };

export interface SquareWebhookEvent {
  eventId: string;
  /** v2 type ("payment.updated") or v1 event_type ("PAYMENT_UPDATED"). */
  type: string;
  merchantId: string | null;
  /** The body as text, checked to be UTF-8 JSON: the inbox sends it to Postgres as is. */
  json: string;
  /** Legacy v1 only: the signed body's own hash (legacyBodyKey); null for v2 events. */
  bodyKey: string | null;
}

export type ParseWebhookResult = { ok: true; event: SquareWebhookEvent } | { ok: false; reason: string };

const MAX_ID_LENGTH = 255;

/**
 * Deepest nesting of objects and arrays accepted. Postgres' jsonb parser runs out of stack between
 * 10 000 and 20 000 levels (max_stack_depth 2 MB): far deeper than any Square payload (~10), so a
 * body that deep is not an event, and refusing it here keeps it from ever failing an insert.
 */
export const MAX_JSON_DEPTH = 256;

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
  const unstorable = unstorableReason(payload, json);
  if (unstorable) return { ok: false, reason: unstorable };
  const body = payload as JsonObject;
  const merchantId = typeof body.merchant_id === 'string' ? body.merchant_id : null;

  if (body.event_id !== undefined || body.type !== undefined) {
    if (!isId(body.event_id)) return { ok: false, reason: 'event_id must be a non-empty string' };
    if (!isId(body.type)) return { ok: false, reason: 'type must be a non-empty string' };
    return { ok: true, event: { eventId: body.event_id, type: body.type, merchantId, json, bodyKey: null } };
  }
  if (isId(body.event_type) && isId(body.entity_id)) {
    const eventId = legacyEventId(rawBody, initialDeliveryTimestamp);
    return { ok: true, event: { eventId, type: body.event_type, merchantId, json, bodyKey: legacyBodyKey(rawBody) } };
  }
  return { ok: false, reason: 'body has no event_id and type (nor a legacy event_type and entity_id)' };
}

/**
 * v1 notifications have no id. Square's retries of one notification repeat the same body and
 * the same square-initial-delivery-timestamp, so both together identify it; a later update of
 * the same payment has a new timestamp and therefore a new id (the body alone would merge it
 * into the first one and the update would never be fetched). The timestamp is not signed, so
 * anyone holding one captured body can mint ids with it: legacyBodyKey is what keeps such
 * repeats from applying anything twice.
 */
export function legacyEventId(rawBody: Buffer, initialDeliveryTimestamp?: string): string {
  const hash = createHash('sha256').update(rawBody);
  if (initialDeliveryTimestamp) hash.update('\n').update(initialDeliveryTimestamp);
  return `v1:${hash.digest('hex')}`;
}

/**
 * What the signature covers of a v1 notification: its body. A repeat of one body, whatever its
 * unsigned headers, is a duplicate while an event of it is unfinished (the inbox), and afterwards
 * applies effects only when Square's object is newer than what that body last applied (the worker).
 */
export function legacyBodyKey(rawBody: Buffer): string {
  // The id a v1 body has without its unsigned timestamp.
  return legacyEventId(rawBody);
}

/**
 * Why Postgres could not store this parsed body, or undefined: nested deeper than MAX_JSON_DEPTH, or
 * a NUL character (the escape \u0000) anywhere — text and jsonb cannot hold one. Checked here so
 * that what the ack path sends to Postgres never fails because of the payload itself.
 */
const NUL_REASON = 'body contains \\u0000 (a NUL character), which Postgres cannot store';

function unstorableReason(payload: unknown, json: string): string | undefined {
  // A NUL can only come from the escape \u0000; without that text in the body, look for depth only.
  const nulPossible = json.includes('\\u0000');
  const stack: Array<[value: unknown, depth: number]> = [[payload, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (nulPossible && value.includes('\0')) return NUL_REASON;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) return `body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (nulPossible && key.includes('\0')) return NUL_REASON;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    !/[\u0000-\u001f]/.test(value)
  );
}

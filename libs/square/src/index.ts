export { readSquareDelivery } from './delivery-headers.js';
export type { SquareDelivery } from './delivery-headers.js';
export { SIGNATURE_HEADERS, computeSquareSignature, isValidSquareSignature } from './webhook-signature.js';
export type { SignatureAlgorithm } from './webhook-signature.js';
export { legacyEventId, parseSquareWebhook } from './webhook-event.js';
export type { JsonObject, ParseWebhookResult, SquareWebhookEvent } from './webhook-event.js';

// Square's webhooks: signatures, bodies, delivery headers, routing. Pure functions only; the API
// client lives in @app/square-api, so that the ingress never loads Square's SDK.
export { readSquareDelivery } from './delivery-headers.js';
export type { SquareDelivery } from './delivery-headers.js';
export { EVENT_CATALOG, NOT_WEBHOOK_EVENTS } from './event-catalog.js';
export type { CatalogEntry, ObjectRoute } from './event-catalog.js';
export { routeSquareEvent, snapshotObject } from './event-routing.js';
export type { EventRoute, ObjectRef } from './event-routing.js';
export { diagnoseSquareSignature } from './signature-diagnosis.js';
export { describeSignatureMatch, explainSignatureMismatch, signatureFix } from './signature-explanation.js';
export type {
  LabelledKey,
  SignatureChange,
  SignatureCheck,
  SignatureDiagnosis,
  SignatureMatch,
} from './signature-diagnosis.js';
export {
  SIGNATURE_BYTES,
  SIGNATURE_HEADERS,
  computeSquareSignature,
  isSignatureOfLength,
  isValidSquareSignature,
} from './webhook-signature.js';
export type { SignatureAlgorithm } from './webhook-signature.js';
export { parseSquareWebhook } from './webhook-event.js';
export type { JsonObject, SquareWebhookEvent } from './webhook-event.js';
export { eventTypePatternProblem, matchesEventType } from './event-type-pattern.js';
export { consumedEventTypes, describePlan, expandEventTypes, planSubscription } from './subscription-plan.js';
export type { EventConsumers, SubscriptionPlan, SubscriptionShape } from './subscription-plan.js';
export { nonEmptyStringOrNull, stringOrNull } from './payload-fields.js';

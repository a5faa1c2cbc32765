// Square's HTTP API through the official SDK: canonical objects, classified failures.
export { SquareApiClient } from './square-api.client.js';
export type { ObtainedToken, SquareCallObserver, SquareConnection } from './square-api.client.js';
export { SquareApiError } from './square-api.errors.js';
export { RETRIEVERS, isRetrievable } from './square-objects.js';
export type { CanonicalObject, RetrievableType } from './square-objects.js';
export { WebhookSettingsApi } from './webhook-settings.api.js';
export type { SubscriptionFields, SubscriptionTest, WebhookSubscriptionState } from './webhook-settings.api.js';

// Square's HTTP API through the official SDK: canonical payments and refunds, classified failures.
export { SquareApiClient } from './square-api.client.js';
export type { SquareCallObserver } from './square-api.client.js';
export { SquareApiError, isRetryableStatus, parseRetryAfter } from './square-api.errors.js';
export { toPaymentRecord, toRefundRecord, wireJson } from './square-records.js';
export type { PaymentRecord, RefundRecord } from './square-records.js';

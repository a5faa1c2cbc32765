// Square's HTTP API through the official SDK: canonical payments and refunds, classified failures.
export { SquareApiClient } from './square-api.client.js';
export { SquareApiError } from './square-api.errors.js';
export type { PaymentRecord, RefundRecord } from './square-records.js';

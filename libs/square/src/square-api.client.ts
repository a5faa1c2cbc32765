import { SquareClient, SquareEnvironment, SquareError, SquareTimeoutError } from 'square';
import type { SquareApiConfig } from '@app/config';
import { SquareApiError, isRetryableStatus, parseRetryAfter } from './square-api.errors.js';
import { PaymentRecord, RefundRecord, toPaymentRecord, toRefundRecord } from './square-records.js';

/**
 * Retrieves canonical payments and refunds with the official SDK. Every failure becomes a
 * SquareApiError that says whether retrying can help; the SDK's own retries are off so that the
 * job queue's backoff (which honours Retry-After) is the only retry loop.
 */
export class SquareApiClient {
  private readonly client: SquareClient;

  constructor(config: SquareApiConfig) {
    this.client = new SquareClient({
      token: config.accessToken,
      environment: config.environment === 'production' ? SquareEnvironment.Production : SquareEnvironment.Sandbox,
      ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
      timeoutInSeconds: config.timeoutMs / 1000,
      maxRetries: 0,
    });
  }

  async getPayment(paymentId: string): Promise<PaymentRecord> {
    const response = await this.call(`GET /v2/payments/${paymentId}`, () => this.client.payments.get({ paymentId }));
    if (!response.payment) throw new SquareApiError(`GET /v2/payments/${paymentId} returned no payment`, 200, false);
    return toPaymentRecord(response.payment);
  }

  async getRefund(refundId: string): Promise<RefundRecord> {
    const response = await this.call(`GET /v2/refunds/${refundId}`, () => this.client.refunds.get({ refundId }));
    if (!response.refund) throw new SquareApiError(`GET /v2/refunds/${refundId} returned no refund`, 200, false);
    return toRefundRecord(response.refund);
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw classify(what, err);
    }
  }
}

function classify(what: string, err: unknown): SquareApiError {
  if (err instanceof SquareError && err.statusCode !== undefined) {
    const code = err.errors[0]?.code;
    const detail = err.errors[0]?.detail ?? code ?? 'no detail';
    const retryAfterMs = parseRetryAfter(err.rawResponse?.headers.get('retry-after'));
    return new SquareApiError(`${what} → ${err.statusCode}: ${detail}`, err.statusCode, isRetryableStatus(err.statusCode), retryAfterMs, code);
  }
  if (err instanceof SquareTimeoutError) return new SquareApiError(`${what} timed out`, null, true);
  // Network errors (connection refused, reset, DNS) and SquareErrors without a status.
  return new SquareApiError(`${what} failed: ${(err as Error)?.message ?? String(err)}`, null, true);
}

/**
 * A failed call to Square's API, classified for the retry policy: retryable (429, 408, 5xx,
 * timeouts, network errors) or permanent (400, 401, 403, 404, … — retrying cannot fix them).
 */
export class SquareApiError extends Error {
  override name = 'SquareApiError';
  /** HTTP status, or null when no answer came (see `transport`). */
  readonly status: number | null;
  readonly retryable: boolean;
  /** From Square's Retry-After header, when it sent one. */
  readonly retryAfterMs?: number;
  /** Square's error code, e.g. NOT_FOUND, RATE_LIMITED. */
  readonly code?: string;
  /** Why no answer came. */
  readonly transport?: 'timeout' | 'network';
  /**
   * Square's free-text detail, kept out of the message: it can echo what was sent (an address, a
   * name), and messages are stored and logged. Only a caller that sent no personal data (the CLI's
   * settings calls) shows it.
   */
  readonly detail?: string;

  constructor(
    message: string,
    details: {
      status: number | null;
      retryable: boolean;
      retryAfterMs?: number;
      code?: string;
      transport?: 'timeout' | 'network';
      detail?: string;
    },
  ) {
    super(message);
    this.status = details.status;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.code = details.code;
    this.transport = details.transport;
    this.detail = details.detail;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

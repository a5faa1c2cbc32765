import { SquareApiError } from '@app/square-api';
import { InvalidEventError } from './process-square-event.use-case.js';

export interface Failure {
  /** Retrying cannot help: dead-letter at once. */
  permanent: boolean;
  /** Stored as dead_letter_reason, e.g. square_404, invalid_event, attempts_exhausted. */
  reason: string;
}

/**
 * Permanent: Square answered 400/401/403/404 (the dashboard's test events name payments that do
 * not exist), or the event cannot be interpreted. Everything else — 429, 408, 5xx, timeouts,
 * network and Postgres connection errors — is transient and retried with backoff.
 */
export function classifyFailure(err: unknown): Failure {
  if (err instanceof SquareApiError && !err.retryable) return { permanent: true, reason: `square_${err.status}` };
  if (err instanceof InvalidEventError) return { permanent: true, reason: 'invalid_event' };
  return { permanent: false, reason: 'attempts_exhausted' };
}

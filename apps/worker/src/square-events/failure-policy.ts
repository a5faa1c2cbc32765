import { SquareApiError } from '@app/square-api';
import { HandlerError } from '../handlers/applied-handler.js';
import { MerchantTokenError } from '../merchants/merchant-token.resolver.js';
import { InvalidEventError } from './attempt-errors.js';

export interface Failure {
  /** Retrying cannot help: dead-letter at once. */
  permanent: boolean;
  /** Stored as dead_letter_reason, e.g. square_404, invalid_event, attempts_exhausted. */
  reason: string;
}

/**
 * Permanent: Square answered 400/401/403/404 (the dashboard's test events name payments that do
 * not exist), the event cannot be interpreted, a handler threw an error marked permanent, or the
 * merchant has no usable token (merchant_not_authorized, _needs_reauth, _revoked: adding its token
 * replays them).
 * Everything else — 429, 408, 5xx, timeouts (the handlers' time limit included), network and
 * Postgres errors, a handler's other errors — is transient and retried with backoff.
 */
export function classifyFailure(err: unknown): Failure {
  if (err instanceof SquareApiError && !err.retryable) return { permanent: true, reason: `square_${err.status}` };
  if (err instanceof MerchantTokenError) return { permanent: true, reason: err.reason };
  if (err instanceof InvalidEventError) return { permanent: true, reason: 'invalid_event' };
  if (err instanceof HandlerError && err.permanent) return { permanent: true, reason: 'handler_permanent' };
  return { permanent: false, reason: 'attempts_exhausted' };
}

import type { IncomingHttpHeaders } from 'node:http';

/** What Square says about a delivery in its headers; informative, never trusted for security. */
export interface SquareDelivery {
  environment: string | null;
  /** square-initial-delivery-timestamp, kept as sent (it also feeds legacy event ids). */
  initialDeliveryTimestamp: string | null;
  initialDeliveryAt: Date | null;
  retryNumber: number | null;
  retryReason: string | null;
}

export function readSquareDelivery(headers: IncomingHttpHeaders): SquareDelivery {
  const initial = header(headers, 'square-initial-delivery-timestamp');
  const initialDate = initial ? new Date(initial) : null;
  const retry = header(headers, 'square-retry-number');
  const retryNumber = retry && /^\d{1,9}$/.test(retry) ? Number(retry) : null;
  return {
    environment: header(headers, 'square-environment')?.slice(0, 64) ?? null,
    initialDeliveryTimestamp: initial?.slice(0, 64) ?? null,
    initialDeliveryAt: initialDate && !Number.isNaN(initialDate.getTime()) ? initialDate : null,
    retryNumber,
    retryReason: header(headers, 'square-retry-reason')?.slice(0, 128) ?? null,
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

import { SIGNATURE_HEADERS, computeSquareSignature, type SignatureAlgorithm } from '@app/square';

// One webhook delivery made the way Square makes it: the body's bytes untouched, signed over
// notificationUrl + body, with Square's delivery headers. The request goes to `to`, which may
// differ from the signed URL (a proxy in front, a tunnel, a local port).

export interface Delivery {
  to: string;
  notificationUrl: string;
  key: string;
  algorithm: SignatureAlgorithm;
  body: Buffer;
  /** square-environment: Sandbox or Production. */
  environment?: string;
}

export interface DeliveryResponse {
  status: number;
  statusText: string;
  body: string;
}

const TIMEOUT_MS = 10_000;

export function deliveryHeaders(d: Delivery, now: Date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADERS[d.algorithm]]: computeSquareSignature(d.algorithm, d.key, d.notificationUrl, d.body),
    'square-environment': d.environment ?? 'Sandbox',
    'square-initial-delivery-timestamp': now.toISOString(),
    'square-retry-number': '0',
  };
}

export async function deliver(d: Delivery): Promise<DeliveryResponse> {
  let res: Response;
  try {
    res = await fetch(d.to, {
      method: 'POST',
      body: d.body,
      headers: deliveryHeaders(d),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new Error(`cannot reach ${d.to}: ${reason(err)}`, { cause: err });
  }
  return { status: res.status, statusText: res.statusText, body: await res.text() };
}

// fetch says only "fetch failed"; the cause says what happened (ECONNREFUSED, ENOTFOUND, …).
function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof AggregateError && cause.errors.length > 0) return String((cause.errors[0] as Error).message);
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

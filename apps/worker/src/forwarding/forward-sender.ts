import { Webhook } from 'standardwebhooks';
import type { Destination } from '@app/config';
import type { Delivery } from '@app/database';
import { parseRetryAfter } from '@app/queue';

export interface SendResult {
  /** 2xx. */
  ok: boolean;
  /** The destination's HTTP status, or null when no answer came. */
  status: number | null;
  /** The status as a metric label: the HTTP status, timeout or network. */
  label: string;
  error: string | null;
  /** From the destination's Retry-After, when it sent one. */
  retryAfterMs?: number;
  seconds: number;
}

const signers = new WeakMap<Destination, Webhook>();

// What is read of an answer (it is not used): enough for the connection to be reused, not so much
// that a destination answering gigabytes could exhaust the worker's memory.
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs a delivery's body to its destination, signed as Standard Webhooks specifies (with the
 * well-kept `standardwebhooks` package): webhook-id the same on every attempt, webhook-timestamp
 * now, webhook-signature over both and the exact body. Never throws: the result says what happened.
 */
export async function sendDelivery(destination: Destination, delivery: Delivery, now = new Date()): Promise<SendResult> {
  let signer = signers.get(destination);
  if (!signer) signers.set(destination, (signer = new Webhook(destination.secret)));
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'square-webhook-pipeline',
    'webhook-id': delivery.webhookId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signer.sign(delivery.webhookId, now, delivery.body),
  };
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    // No redirects: a destination that moved says so with a status, not by sending the body elsewhere.
    const res = await fetch(destination.url, { method: 'POST', body: delivery.body, headers, redirect: 'manual', signal: AbortSignal.timeout(destination.timeoutMs) });
    await discard(res.body);
    const ok = res.status >= 200 && res.status < 300;
    const error = ok ? null : `${destination.url} answered ${res.status}`;
    return { ok, status: res.status, label: String(res.status), error, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), seconds: seconds() };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const error = timedOut ? `no answer within ${destination.timeoutMs} ms` : `cannot reach ${destination.url}: ${causeOf(err)}`;
    return { ok: false, status: null, label: timedOut ? 'timeout' : 'network', error, seconds: seconds() };
  }
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (let read = 0; read <= MAX_ANSWER_BYTES; ) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A broken answer after its status: the status is what counts.
  }
}

function causeOf(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

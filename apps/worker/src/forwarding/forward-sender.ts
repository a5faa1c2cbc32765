import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Destination } from '@app/config';
import type { Delivery } from '@app/database';
import { httpStatusLabel } from '@app/metrics';
import { parseRetryAfter } from '@app/queue';
import { ATTR, traceHttpRequest } from '@app/tracing';

export interface SendResult {
  /** 2xx. */
  ok: boolean;
  /** The destination's HTTP status, or null when no answer came. */
  status: number | null;
  /** The status as a metric label: its class (2xx, 4xx, 5xx), timeout or network. */
  label: string;
  /** Names the destination, never its URL (see describeSendFailure). */
  error: string | null;
  /** From the destination's Retry-After, when it sent one. */
  retryAfterMs?: number;
  seconds: number;
}

const signers = new WeakMap<Destination, Webhook>();

// What is read of an answer (it is not used): enough for the connection to be reused, not so much
// that a destination answering gigabytes could exhaust the worker's memory.
const MAX_ANSWER_BYTES = 64 * 1024;

// node:http on keep-alive agents rather than fetch: Node's fetch (undici, web streams, an
// AbortSignal per request) cost the worker ~11 % of its CPU in the forwarding benchmark, for one
// POST of a few KiB per delivery (see docs/BENCHMARKS.md, section 5).
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

class RequestTimeout extends Error {}

/**
 * POSTs a delivery's body to its destination, signed as Standard Webhooks specifies (with the
 * well-kept `standardwebhooks` package): webhook-id the same on every attempt, webhook-timestamp
 * now, webhook-signature over both and the exact body. Redirects are not followed (a destination
 * that moved says so with a status, not by having the body sent elsewhere). Never throws: the
 * result says what happened.
 */
export async function sendDelivery(
  destination: Destination,
  delivery: Delivery,
  now = new Date(),
): Promise<SendResult> {
  let signer = signers.get(destination);
  if (!signer) signers.set(destination, (signer = new Webhook(destination.secret)));
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(delivery.body)),
    'user-agent': 'square-webhook-pipeline',
    'webhook-id': delivery.webhookId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signer.sign(delivery.webhookId, now, delivery.body),
  };
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const url = new URL(destination.url);
    // An HTTP client span in the event's trace; traceparent (and tracestate) let the destination continue it.
    const span = {
      method: 'POST',
      url,
      recordUrl: false,
      parent: delivery.traceContext,
      attributes: {
        [ATTR.destination]: destination.name,
        [ATTR.eventId]: delivery.eventId,
        [ATTR.attempt]: delivery.attempts + 1,
      },
    };
    const { status, retryAfter } = await traceHttpRequest(
      span,
      (propagated) => post(url, delivery.body, { ...headers, ...propagated }, destination.timeoutMs),
      (answer) => answer.status,
    );
    const ok = status >= 200 && status < 300;
    const error = ok ? null : `destination ${destination.name} answered ${status}`;
    return {
      ok,
      status,
      label: httpStatusLabel(status),
      error,
      retryAfterMs: parseRetryAfter(retryAfter),
      seconds: seconds(),
    };
  } catch (err) {
    const timedOut = err instanceof RequestTimeout;
    const error = timedOut
      ? `destination ${destination.name}: no answer within ${destination.timeoutMs} ms`
      : describeSendFailure(destination, err);
    return { ok: false, status: null, label: timedOut ? 'timeout' : 'network', error, seconds: seconds() };
  }
}

/** One POST; the whole exchange, answer included, within `timeoutMs`. */
function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: string | undefined }> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: 'POST', headers, agent: agents[url.protocol as 'http:' | 'https:'] },
      (res) => {
        const answer = { status: res.statusCode ?? 0, retryAfter: header(res.headers['retry-after']) };
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy(); // the status is what counts
        });
        // A broken or cut answer after its status still has that status.
        res.on('close', () => {
          clearTimeout(timer);
          resolve(answer);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new RequestTimeout()), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Why a destination could not be reached, naming it by its name: this text is stored (the
 * delivery's last error, the BullMQ job's failedReason), logged and shown by the admin API, and a
 * destination's URL may hold credentials or a token in its query string. Node's error code when
 * there is one (its messages name the host and port); else the message, without any part of the URL.
 */
export function describeSendFailure(destination: Pick<Destination, 'name' | 'url'>, err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const cause =
    typeof code === 'string' ? code : withoutUrl(err instanceof Error ? err.message : String(err), destination.url);
  return `cannot reach destination ${destination.name}: ${cause}`;
}

function withoutUrl(message: string, url: string): string {
  let parts: string[] = [url];
  try {
    const parsed = new URL(url);
    parts = [
      url,
      parsed.href,
      parsed.host,
      parsed.hostname,
      parsed.username,
      parsed.password,
      parsed.search.slice(1),
      decodeURIComponent(parsed.password),
    ];
  } catch {
    // an unparsable URL: only its whole text is known
  }
  const longestFirst = parts.filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
  return longestFirst.reduce((text, part) => text.split(part).join('(the destination URL)'), message);
}

import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADERS, computeSquareSignature } from '@app/square';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  seconds: number;
}

export interface SignedLoad {
  url: string;
  key: string;
  notificationUrl: string;
  connections: number;
  /** Run for this long… */
  durationSeconds?: number;
  /** …or send exactly this many requests. */
  amount?: number;
  mix?: EventMix;
}

/** What a benchmark sends: payment.updated only, or a mix of object kinds (retrieved and snapshots). */
export type EventMix = 'payments' | 'mixed';

// The mix: what a seller selling with orders and invoices sends. Retrieved kinds (order, customer,
// invoice, payment) and a snapshot kind (customer custom attributes), in equal shares.
const MIXED = [
  (id: string) => ({ type: 'order.updated', data: { type: 'order', id } }),
  (id: string) => ({ type: 'customer.updated', data: { type: 'customer', id } }),
  (id: string) => ({ type: 'invoice.updated', data: { type: 'invoice', id } }),
  (id: string) => ({ type: 'payment.updated', data: { type: 'payment', id } }),
  (id: string) => ({
    type: 'customer.custom_attribute.updated',
    data: {
      type: 'custom_attribute',
      id,
      object: { custom_attribute: { key: 'tier', value: 'gold', version: 1, updated_at: new Date().toISOString() } },
    },
  }),
];
let mixed = 0;

/** A signed body with a fresh event id, as Square would send it. */
export function signedEvent(
  key: string,
  notificationUrl: string,
  mix: EventMix = 'payments',
): { body: string; headers: Record<string, string> } {
  const eventId = randomUUID();
  const id = `bench_${eventId}`;
  const event =
    mix === 'mixed'
      ? MIXED[mixed++ % MIXED.length]!(id)
      : {
          type: 'payment.updated',
          data: {
            type: 'payment',
            id,
            object: {
              payment: { id, status: 'COMPLETED', amount_money: { amount: 1000, currency: 'USD' }, version: 1 },
            },
          },
        };
  const body = JSON.stringify({
    merchant_id: 'ML7Q2XK4ZP1N9',
    event_id: eventId,
    created_at: new Date().toISOString(),
    ...event,
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADERS.sha256]: computeSquareSignature('sha256', key, notificationUrl, Buffer.from(body)),
      'square-environment': 'Sandbox',
      'square-initial-delivery-timestamp': new Date().toISOString(),
      'square-retry-number': '0',
    },
  };
}

/**
 * autocannon with a distinct signed event per request. The events are signed before the clock
 * starts, so that the load generator (on the same cores) spends its time sending, not hashing.
 */
export function signedLoad(options: SignedLoad): Promise<LoadResult> {
  // Enough pre-signed events for 6 000 req/s, well above what this machine reaches.
  const count = options.amount ?? Math.ceil((options.durationSeconds ?? 10) * 6000);
  const events = Array.from({ length: count }, () => signedEvent(options.key, options.notificationUrl, options.mix));
  let next = 0;
  return run({
    url: options.url,
    connections: Math.min(options.connections, options.amount ?? Number.POSITIVE_INFINITY),
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    method: 'POST',
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          // Past the pre-signed ones (a faster run than expected): sign on the fly.
          const event = events[next++] ?? signedEvent(options.key, options.notificationUrl, options.mix);
          return { ...req, method: 'POST', body: event.body, headers: event.headers };
        },
      },
    ],
  });
}

/** autocannon against a plain GET route. */
export function plainLoad(url: string, connections: number, durationSeconds: number): Promise<LoadResult> {
  return run({ url, connections, duration: durationSeconds });
}

async function run(options: Record<string, unknown>): Promise<LoadResult> {
  const started = performance.now();
  const result = await autocannon({ ...options, timeout: 10 } as autocannon.Options);
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    seconds,
  };
}

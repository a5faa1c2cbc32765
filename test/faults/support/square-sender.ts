import { createHmac, randomUUID } from 'node:crypto';
import type { FakeSquareServer } from '@app/testing';

export interface SenderStats {
  /** Distinct events sent. */
  events: number;
  /** HTTP requests, retries and duplicates included. */
  requests: number;
  acked: number;
  duplicatesSent: number;
  unsignedSent: number;
  /** Answers other than 2xx, by status ('network' when no answer). */
  rejected: Record<string, number>;
  /** Slowest answer per status, in ms. */
  slowestMs: Record<string, number>;
}

interface Delivery {
  eventId: string;
  body: string;
  attempts: number;
  acked: boolean;
}

/**
 * Sends signed payment.updated events at a steady rate the way Square does: every event is
 * retried until it gets a 2xx (with backoff), some events are delivered again after their ack,
 * and a trickle of unsigned requests is mixed in. Before sending an event it bumps the payment's
 * version at the fake Square API, as a real change would.
 */
export class SquareSender {
  readonly deliveries = new Map<string, Delivery>();
  readonly unsignedIds: string[] = [];
  readonly stats: SenderStats = {
    events: 0,
    requests: 0,
    acked: 0,
    duplicatesSent: 0,
    unsignedSent: 0,
    rejected: {},
    slowestMs: {},
  };
  private readonly versions = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly notificationUrl: string,
    private readonly fake: FakeSquareServer,
    private readonly options: { payments?: number; duplicateRate?: number; unsignedRate?: number } = {},
  ) {}

  /** Starts sending `perSecond` new events per second until stop(), or until `limit` events were sent. */
  start(perSecond: number, limit = Infinity): void {
    const tickMs = 20;
    let budget = 0;
    this.timer = setInterval(() => {
      budget += (perSecond * tickMs) / 1000;
      for (; budget >= 1 && this.stats.events < limit; budget--) void this.sendOne();
      if (this.stats.events >= limit) this.stop();
    }, tickMs);
  }

  /** Sends one event now; resolves with its id once acked (retrying like Square). */
  async sendOne(paymentId = `pay_${Math.floor(Math.random() * (this.options.payments ?? 40))}`): Promise<string> {
    const version = (this.versions.get(paymentId) ?? 0) + 1;
    this.versions.set(paymentId, version);
    const now = new Date().toISOString();
    this.fake.put('payment', {
      id: paymentId,
      status: 'COMPLETED',
      amount_money: { amount: 1000 + version, currency: 'USD' },
      version,
      updated_at: now,
    });
    const eventId = randomUUID();
    const body = JSON.stringify({
      merchant_id: 'MFAULT',
      type: 'payment.updated',
      event_id: eventId,
      created_at: now,
      data: { type: 'payment', id: paymentId, object: { payment: { id: paymentId, version } } },
    });
    const delivery: Delivery = { eventId, body, attempts: 0, acked: false };
    this.deliveries.set(eventId, delivery);
    this.stats.events++;
    const done = this.deliver(delivery);
    if (Math.random() < (this.options.unsignedRate ?? 0.05)) this.sendUnsigned();
    await done;
    return eventId;
  }

  /** Delivers an already-acked event again (Square does), possibly several at once. */
  duplicate(eventId: string, copies = 1): Promise<void[]> {
    const delivery = this.deliveries.get(eventId);
    if (!delivery) throw new Error(`unknown event ${eventId}`);
    this.stats.duplicatesSent += copies;
    return Promise.all(
      Array.from({ length: copies }, () => this.deliver({ ...delivery, acked: false, attempts: 0 }, false)),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Stops new events and waits until every event was acked (or the deadline passes). */
  async drain(timeoutMs: number): Promise<void> {
    this.stop();
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    this.stopping = true;
    if (this.inFlight.size > 0)
      throw new Error(`${this.inFlight.size} deliveries still unacknowledged after ${timeoutMs} ms`);
  }

  ackedIds(): string[] {
    return [...this.deliveries.values()].filter((d) => d.acked).map((d) => d.eventId);
  }

  private deliver(delivery: Delivery, original = true): Promise<void> {
    const run = (async () => {
      for (let attempt = 0; !this.stopping; attempt++) {
        const status = await this.post(delivery.body, true, attempt);
        if (status >= 200 && status < 300) {
          if (original && !delivery.acked) {
            delivery.acked = true;
            this.stats.acked++;
            if (Math.random() < (this.options.duplicateRate ?? 0.2)) void this.duplicate(delivery.eventId);
          }
          return;
        }
        // Square waits longer after each failure; compressed here to keep scenarios short.
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    })();
    this.inFlight.add(run);
    return run.finally(() => this.inFlight.delete(run));
  }

  private sendUnsigned(): void {
    const eventId = `unsigned-${randomUUID()}`;
    this.unsignedIds.push(eventId);
    this.stats.unsignedSent++;
    const body = JSON.stringify({
      merchant_id: 'MFAULT',
      type: 'payment.updated',
      event_id: eventId,
      data: { id: 'pay_0' },
    });
    void this.post(body, false, 0);
  }

  private async post(body: string, signed: boolean, attempt: number): Promise<number> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'square-retry-number': String(attempt),
      'x-square-hmacsha256-signature': signed
        ? createHmac('sha256', this.key).update(this.notificationUrl).update(body).digest('base64')
        : 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    };
    const started = performance.now();
    let status: string;
    let code = 0;
    try {
      const res = await fetch(this.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      code = res.status;
      status = String(res.status);
    } catch {
      status = 'network';
    }
    this.stats.requests++;
    const ms = performance.now() - started;
    this.stats.slowestMs[status] = Math.max(this.stats.slowestMs[status] ?? 0, Math.round(ms));
    if (signed && (code < 200 || code >= 300)) this.stats.rejected[status] = (this.stats.rejected[status] ?? 0) + 1;
    return code;
  }
}

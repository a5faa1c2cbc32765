import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { deleteQueuePrefix } from './support/redis.js';
import { startBlackhole, startProxy, type TcpProxy } from './support/servers.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig } from './support/worker.js';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';

const KEY = 'whsk_test_key';

/** The value of one series in a Prometheus text exposition (0 when absent). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) return Number(value);
  }
  return 0;
}

describe('health, metrics and readiness', () => {
  let db: TestDatabase;
  let prefix: string;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: INestApplication<Server>;
  let workerUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase('observability');
    prefix = uniqueName('q');
    pgProxy = await startProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
    const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    redisProxy = await startProxy(Number(redisUrl.port || 6379), redisUrl.hostname);
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(pgProxy.port);
    fake = new FakeSquareServer({ synthesize: true });
    fake.put('payment', SAMPLE_PAYMENTS[0]!);
    await fake.listen();
    ingress = await startIngress(ingressConfig(viaProxy.toString(), { signatureKeys: [KEY] }));
    worker = await startWorker(
      workerConfig(db.url, prefix, fake.url, { redisUrl: `redis://127.0.0.1:${redisProxy.port}` }),
    );
    workerUrl = `http://127.0.0.1:${(worker.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await worker?.close();
    await ingress?.close();
    await fake?.close();
    await pgProxy?.stop();
    await redisProxy?.stop();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const scrape = async (base: string) => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  const ready = async (base: string) => {
    const res = await fetch(`${base}/health/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; error: Record<string, unknown> } };
  };

  it('liveness and readiness answer on the ingress and the worker', async () => {
    for (const base of [ingress.url, workerUrl]) {
      expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'ok' });
      // Ready once its connections are up (a few ms after start).
      const r = await eventually(
        async () => {
          const x = await ready(base);
          return x.status === 200 ? x : undefined;
        },
        5000,
        'readiness',
      );
      expect(r.body).toMatchObject({ status: 'ok' });
    }
  });

  it('after N signed and M unsigned webhooks the counters say N and M; the worker counts what it processed', async () => {
    const before = await scrape(ingress.url);
    const workerBefore = await scrape(workerUrl);
    const N = 7;
    const M = 5;
    for (let i = 0; i < N; i++) {
      const body = paymentEventBody(`metrics-${i}`, `pay_metrics_${i}`);
      const res = await ingress.post(body, {
        ...signedHeaders(body, KEY),
        'square-initial-delivery-timestamp': new Date(Date.now() - 2000).toISOString(),
        'square-retry-number': '1',
      });
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < M; i++) {
      expect(
        (await ingress.post(paymentEventBody(`unsigned-${i}`), { 'content-type': 'application/json' })).status,
      ).toBe(401);
    }
    const after = await scrape(ingress.url);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      metric(after, name, labels) - metric(before, name, labels);
    expect(delta('square_webhooks_received_total', { outcome: 'accepted' })).toBe(N);
    expect(delta('square_webhooks_received_total', { outcome: 'bad_signature' })).toBe(M);
    expect(delta('square_webhook_ack_seconds_count', { outcome: 'accepted' })).toBe(N);
    expect(delta('square_webhook_delivery_lag_seconds_count')).toBe(N);
    expect(delta('square_webhook_delivery_lag_seconds_bucket', { le: '1' })).toBe(0); // ~2 s late
    expect(delta('square_webhook_retry_number_sum')).toBe(N);

    const workerAfter = await eventually(
      async () => {
        const text = await scrape(workerUrl);
        const processed =
          metric(text, 'square_events_processed_total', { event_type: 'payment.updated', outcome: 'applied' }) -
          metric(workerBefore, 'square_events_processed_total', { event_type: 'payment.updated', outcome: 'applied' });
        return processed >= N ? text : undefined;
      },
      15_000,
      'the worker to process the events',
    );
    expect(
      metric(workerAfter, 'square_api_requests_total', { operation: 'payments.get', status: '2xx' }),
    ).toBeGreaterThanOrEqual(N);
    expect(
      metric(workerAfter, 'square_event_processing_seconds_count', {
        event_type: 'payment.updated',
        outcome: 'applied',
      }),
    ).toBeGreaterThanOrEqual(N);
    expect(workerAfter).toMatch(/square_queue_jobs\{queue="square-events",state="waiting"\} \d+/);
    expect(workerAfter).toMatch(/square_queue_jobs\{queue="square-events-dead-letter",state="waiting"\} \d+/);
    expect(workerAfter).toContain('process_resident_memory_bytes');
  });

  it("label values are bounded: an event type outside Square's catalog counts as other, HTTP statuses as classes", async () => {
    const made = Buffer.from(
      JSON.stringify({
        merchant_id: 'ML7Q2XK4ZP1N9',
        type: 'made.up.type-x9',
        event_id: 'unbounded-1',
        created_at: new Date().toISOString(),
        data: {},
      }),
    );
    expect((await ingress.post(made, signedHeaders(made, KEY))).status).toBe(200);
    fake.fail({ id: 'pay_nobody_has', status: 404 });
    const missing = paymentEventBody('status-class-404', 'pay_nobody_has');
    expect((await ingress.post(missing, signedHeaders(missing, KEY))).status).toBe(200);
    const text = await eventually(
      async () => {
        const t = await scrape(workerUrl);
        return metric(t, 'square_events_processed_total', { event_type: 'other' }) >= 1 &&
          metric(t, 'square_api_requests_total', { status: '4xx' }) >= 1
          ? t
          : undefined;
      },
      15_000,
      'the worker to count both events',
    );
    expect(text).not.toContain('made.up.type-x9');
    const statuses = new Set([...text.matchAll(/^square_api_request[^{]*\{[^}]*status="([^"]+)"/gm)].map((m) => m[1]));
    expect([...statuses].filter((s) => !['2xx', '4xx', '5xx', 'timeout', 'network'].includes(s!))).toEqual([]);
  });

  it('readiness flips to 503 saying "database unavailable" when Postgres stops (never its host, port or name), and back when it returns', async () => {
    await pgProxy.stop();
    const down = await eventually(
      async () => {
        const r = await ready(ingress.url);
        return r.status === 503 ? r : undefined;
      },
      5000,
      'readiness to fail',
    );
    expect(Object.keys(down.body.error)).toEqual(['postgres']);
    expect(down.body.error.postgres).toMatchObject({ status: 'down', message: 'database unavailable' });
    const text = JSON.stringify(down.body);
    for (const detail of [String(pgProxy.port), db.name, '127.0.0.1', 'DATABASE_URL'])
      expect(text).not.toContain(detail);
    await pgProxy.start();
    await eventually(async () => (await ready(ingress.url)).status === 200, 10_000, 'readiness to recover');
  });

  it('readiness says the same of a Postgres that accepts connections and never answers', async () => {
    const blackhole = await startBlackhole();
    const silent = await startIngress(
      ingressConfig(`postgresql://postgres@127.0.0.1:${blackhole.port}/silent_db_name`, { signatureKeys: [KEY] }),
    );
    try {
      const r = await ready(silent.url);
      expect(r.status).toBe(503);
      expect(r.body.error.postgres).toMatchObject({ status: 'down', message: 'database unavailable' });
      expect(JSON.stringify(r.body)).not.toMatch(new RegExp(`${blackhole.port}|silent_db_name|127\\.0\\.0\\.1`));
    } finally {
      await silent.close();
      await blackhole.close();
    }
  });

  it("the worker's readiness flips to 503 naming Redis when it stops, and back; the ingress, which has no Redis, stays ready", async () => {
    await redisProxy.stop();
    const down = await eventually(
      async () => {
        const r = await ready(workerUrl);
        return r.status === 503 ? r : undefined;
      },
      5000,
      'readiness to fail',
    );
    expect(Object.keys(down.body.error)).toEqual(['redis']);
    expect((await ready(ingress.url)).status).toBe(200);
    await redisProxy.start();
    await eventually(async () => (await ready(workerUrl)).status === 200, 15_000, 'readiness to recover');
  });
});

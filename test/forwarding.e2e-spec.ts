import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver, type Received } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const secret = (seed: string) => `whsec_${Buffer.from(seed.padEnd(32, '.')).toString('base64')}`;
const SECRETS = { MAIN: secret('main'), SLOW: secret('slow'), HEALTHY: secret('healthy') };

// Each case has its own seller, so that destinations (filtered by merchant) keep the cases apart.
const M = { main: 'MMAIN', isolated: 'MISOLATED', baseline: 'MBASELINE' };

// A team handler that fails for good on fatal-* events: their apply rolls back, deliveries included.
const HANDLER = `export default [{ name: 'gate', eventTypes: ['payment.*'], async handle({ event }) {
  if (event.id.startsWith('fatal-')) throw Object.assign(new Error('order not found in the ERP'), { permanent: true });
} }];`;

describe("forwarding: verified events to the team's services, signed as Standard Webhooks", () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let dir: string;
  const main = new WebhookReceiver(SECRETS.MAIN);
  const refunds = new WebhookReceiver(SECRETS.MAIN);
  const slow = new WebhookReceiver(SECRETS.SLOW);
  const healthy = new WebhookReceiver(SECRETS.HEALTHY);

  const workerEnv = () => ({
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SQUARE_ACCESS_TOKEN: 'test-token',
    SQUARE_BASE_URL: fake.url,
    SQUARE_EVENT_HANDLERS: join(dir, 'gate.mjs'),
    FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
    FORWARD_BACKOFF_MS: '100',
    FORWARD_MAX_BACKOFF_MS: '1000',
    JOB_LOCK_MS: '2000',
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`${k}_WEBHOOK_SECRET`, v])),
  });

  beforeAll(async () => {
    db = await createTestDatabase('forwarding');
    prefix = uniqueName('q');
    await Promise.all([main, refunds, slow, healthy].map((r) => r.listen()));
    dir = mkdtempSync(join(tmpdir(), 'forwarding-'));
    writeFileSync(join(dir, 'gate.mjs'), HANDLER);
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:
  - name: main
    url: ${main.url}
    secret: \${MAIN_WEBHOOK_SECRET}
    eventTypes: [payment.*]
    merchantIds: [${M.main}]
    timeoutMs: 2000
  - name: refunds
    url: ${refunds.url}
    secret: \${MAIN_WEBHOOK_SECRET}
    eventTypes: [refund.*]
    merchantIds: [${M.main}]
  - name: slow
    url: ${slow.url}
    secret: \${SLOW_WEBHOOK_SECRET}
    eventTypes: [payment.updated]
    merchantIds: [${M.isolated}]
    timeoutMs: 15000
  - name: healthy
    url: ${healthy.url}
    secret: \${HEALTHY_WEBHOOK_SECRET}
    eventTypes: [payment.updated]
    merchantIds: [${M.isolated}, ${M.baseline}]
`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT); // version 3
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await spawnApp('worker', workerEnv(), 'WORKER_PORT');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await Promise.all([main, refunds, slow, healthy].map((r) => r.close()));
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (body: Buffer) => {
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return String(res.body.eventId);
  };
  const payment = (eventId: string, merchantId = M.main, version = 1) =>
    paymentEventBody(eventId, String(PAYMENT.id), version, merchantId);
  const deliveries = (eventId: string) =>
    db.query<{ destination: string; status: string; attempts: number; last_status: number | null; webhook_id: string }>(
      'SELECT destination, status, attempts, last_status, webhook_id FROM forward_deliveries WHERE event_id = $1 ORDER BY destination',
      [eventId],
    );
  const arrived = (receiver: WebhookReceiver, eventId: string, count = 1, timeoutMs = 15_000) =>
    eventually(
      async () => (receiver.of(eventId).length >= count ? receiver.of(eventId) : undefined),
      timeoutMs,
      `${count} request(s) for ${eventId}`,
    );
  const delivered = (eventId: string, timeoutMs = 15_000) =>
    eventually(
      async () => {
        const rows = await deliveries(eventId);
        return rows.length > 0 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      },
      timeoutMs,
      `the deliveries of ${eventId}`,
    );

  it('an applied event: one verified delivery with the canonical object, and none to a destination that does not match', async () => {
    const body = payment('applied-1'); // its snapshot says version 1; Square has version 3
    await send(body);
    const [got] = await arrived(main, 'applied-1');
    expect(got).toMatchObject({ verified: true, nth: 1 });
    expect(got!.body).toEqual({
      type: 'payment.updated',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
      data: {
        event_id: 'applied-1',
        merchant_id: M.main,
        object_type: 'payment',
        object_id: PAYMENT.id,
        object: expect.objectContaining({ id: PAYMENT.id, version: 3 }),
        event: JSON.parse(body.toString()),
      },
    });
    expect(await delivered('applied-1')).toEqual([
      expect.objectContaining({ destination: 'main', attempts: 1, last_status: 200, webhook_id: got!.webhookId }),
    ]);
    // refunds (refund.*), slow and healthy (other sellers) do not match.
    expect(refunds.received).toEqual([]);
  });

  it('50 duplicate deliveries from Square: one webhook-id, one request', async () => {
    const body = payment('storm-1');
    await Promise.all(Array.from({ length: 50 }, () => send(body)));
    await delivered('storm-1');
    await new Promise((r) => setTimeout(r, 500)); // would a second request follow?
    expect(main.of('storm-1')).toHaveLength(1);
  });

  it('500 three times, then 200: delivered, with the same webhook-id on every try', async () => {
    main.answer = (r) => (r.body.data.event_id === 'flaky-1' && r.nth <= 3 ? { status: 500 } : { status: 200 });
    await send(payment('flaky-1'));
    const tries = await arrived(main, 'flaky-1', 4);
    expect(tries.every((t) => t.verified)).toBe(true);
    expect(new Set(tries.map((t) => t.webhookId)).size).toBe(1);
    expect(await delivered('flaky-1')).toEqual([expect.objectContaining({ attempts: 4, last_status: 200 })]);
  });

  it('an event whose handler fails for good is not forwarded', async () => {
    const eventId = await send(payment('fatal-1'));
    await eventually(
      async () =>
        (
          await db.query<{ status: string }>('SELECT status FROM webhook_events WHERE event_id = $1 AND status = $2', [
            eventId,
            'dead_lettered',
          ])
        )[0],
      15_000,
      'fatal-1 to be dead-lettered',
    );
    expect(await deliveries(eventId)).toEqual([]);
    expect(main.of(eventId)).toEqual([]);
  });

  it('a SIGKILL of the sender mid-delivery: delivered again after the restart, with the same webhook-id', async () => {
    main.answer = (r) => (r.body.data.event_id === 'kill-1' && r.nth === 1 ? 'hold' : { status: 200 });
    await send(payment('kill-1'));
    await arrived(main, 'kill-1');
    await worker.stop('SIGKILL');
    worker = await spawnApp('worker', workerEnv(), 'WORKER_PORT');
    const tries = await arrived(main, 'kill-1', 2, 20_000);
    expect(tries[1]).toMatchObject({ verified: true, webhookId: tries[0]!.webhookId });
    expect(await delivered('kill-1')).toEqual([expect.objectContaining({ status: 'delivered', last_status: 200 })]);
  });

  it('a destination that takes 10 s per request does not slow a healthy one beside it', async () => {
    slow.answer = () => ({ status: 200, delayMs: 10_000 });
    const latencies = async (merchantId: string, label: string) => {
      const sent = new Map<string, number>();
      for (let i = 0; i < 20; i++) {
        const id = `${label}-${i}`;
        sent.set(id, Date.now());
        await send(payment(id, merchantId));
      }
      const got: Received[] = [];
      for (const id of sent.keys()) got.push((await arrived(healthy, id))[0]!);
      return got.map((r) => r.at - sent.get(r.body.data.event_id)!).sort((a, b) => a - b);
    };
    const before = await latencies(M.baseline, 'baseline');
    const beside = await latencies(M.isolated, 'isolated');
    // The slow destination is busy meanwhile: its 10 concurrent requests are all open.
    await eventually(
      async () => slow.received.length >= 10 || undefined,
      10_000,
      'the slow destination to be saturated',
    );
    expect(slow.received.filter((r) => Date.now() - r.at < 10_000).length).toBeGreaterThanOrEqual(10);
    const max = (xs: number[]) => xs[xs.length - 1]!;
    // Generous bounds (a shared 2-core machine); a healthy destination behind the slow one would wait 10 s.
    expect(max(beside)).toBeLessThan(3000);
    expect(max(beside)).toBeLessThan(max(before) + 2000);
  }, 60_000);

  it('a bad destinations file stops the worker with one line per problem, and no secret', async () => {
    writeFileSync(
      join(dir, 'bad.yml'),
      `destinations:
  - name: Main Service
    url: ftp://example.com
    secret: \${MAIN_WEBHOOK_SECRET}
    eventTypes: []
`,
    );
    const run = await runNode('dist/apps/worker/src/main.js', [], {
      ...workerEnv(),
      FORWARD_DESTINATIONS_FILE: join(dir, 'bad.yml'),
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^Invalid configuration:\n( {2}- FORWARD_DESTINATIONS_FILE .*\n){3}$/);
    expect(run.stderr).toMatch(/destinations\[0\]\.name/);
    expect(run.stderr).toMatch(/destinations\[0\]\.url/);
    expect(run.stderr).toMatch(/destinations\[0\]\.eventTypes/);
    expect(run.stderr + run.stdout).not.toContain(SECRETS.MAIN.slice(6));
  });
});

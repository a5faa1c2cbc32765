import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { expandEventTypes } from '@app/square';
import { FakeSquareServer } from '@app/testing';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { deleteQueuePrefix } from './support/redis.js';
import { freePort } from './support/servers.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig } from './support/worker.js';

const TOKEN = 'app-token';

// The worker's side of Square's subscription: the self-check at startup (a readiness detail, a
// warning naming what is missing) and the canary (Square's test notification through the real
// ingress, square_canary_last_success_timestamp).
describe('worker: subscription self-check and canary', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: INestApplication<Server> | undefined;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('square_canary');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: TOKEN });
    await fake.listen();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/webhooks/square`;
    const created = await fetch(`${fake.url}/v2/webhooks/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subscription: { notification_url: url, event_types: ['payment.created'], api_version: '2026-09-16' },
      }),
    }).then((r) => r.json() as Promise<{ subscription: { signature_key: string } }>);
    ingress = await startIngress(
      ingressConfig(db.url, { signatureKeys: [created.subscription.signature_key], notificationUrl: url }),
      port,
    );
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const start = async (canaryIntervalMs: number) => {
    const config = workerConfig(db.url, prefix, fake.url, {
      squareSubscription: { accessToken: TOKEN, notificationUrl: url, canaryIntervalMs },
    });
    worker = await startWorker({ ...config, handlers: { ...config.handlers, mirrorEventTypes: ['payment.*'] } });
    return `http://127.0.0.1:${(worker.getHttpServer().address() as { port: number }).port}`;
  };
  type Detail = { status: string; state: string; detail: string; missingEventTypes?: string[] };
  const readiness = async (base: string) => {
    const res = await fetch(`${base}/health/ready`);
    return { status: res.status, info: ((await res.json()) as { info: Record<string, Detail> }).info };
  };
  const gauge = async (base: string, name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${base}/metrics`)).text())?.[1]);

  it('names the consumed types the subscription lacks and the command that fixes it, without making the worker unready', async () => {
    const base = await start(0);
    const check = await eventually(
      async () => {
        const { status, info } = await readiness(base);
        return info.squareSubscription?.state === 'gap' ? { status, detail: info.squareSubscription } : undefined;
      },
      30_000,
      'the self-check',
    );
    const missing = expandEventTypes(['payment.*', 'oauth.authorization.revoked']).filter(
      (t) => t !== 'payment.created',
    );
    expect(check.status).toBe(200);
    expect(check.detail.missingEventTypes).toEqual(missing);
    expect(check.detail.detail).toContain(`it lacks ${missing.length} consumed event type(s): ${missing.join(', ')}`);
    expect(check.detail.detail).toMatch(/: run npm run square -- subscriptions sync$/);
    expect((await readiness(base)).info.squareCanary).toMatchObject({ state: 'off' });
    expect(await gauge(base, 'square_canary_interval_seconds')).toBe(0);
  });

  it('says ok when the subscription covers every consumed type; the canary comes back through the ingress and moves its metric', async () => {
    const sub = [...fake.webhooks.subscriptions.values()][0]!;
    sub.event_types = expandEventTypes(['payment.*', 'oauth.authorization.revoked', 'invoice.created']);
    const base = await start(1000);
    expect(
      await eventually(
        async () => (await readiness(base)).info.squareSubscription?.state === 'ok',
        30_000,
        'the self-check',
      ),
    ).toBe(true);
    expect(await gauge(base, 'square_canary_interval_seconds')).toBe(1);
    const first = await gauge(base, 'square_canary_last_success_timestamp');
    expect(first).toBeGreaterThan(0);
    const moved = await eventually(
      async () => {
        const now = await gauge(base, 'square_canary_last_success_timestamp');
        return fake.webhooks.testDeliveries.length >= 2 && now > first ? now : undefined;
      },
      60_000,
      'the canary metric to move',
    );
    expect(moved).toBeGreaterThan(first);
    const { eventId, status } = fake.webhooks.testDeliveries[0]!;
    expect(status).toBe(200);
    expect(await db.query('SELECT event_type FROM webhook_events WHERE event_id = $1', [eventId])).toEqual([
      { event_type: 'webhooks.test_notification' },
    ]);
    expect((await readiness(base)).info.squareCanary).toMatchObject({
      state: 'ok',
      detail: expect.stringMatching(/^test notification .* captured$/),
    });
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { ADMIN_MAIN, JSON_CHANGE, basicAuthHeader, callApp, type Json } from './support/admin.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { freePort } from './support/servers.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const SECRET = `whsec_${Buffer.from('replay-secret-0123456789abcdefgh').toString('base64')}`;
const AUTH = { authorization: basicAuthHeader('ops', 'pw') };

// Deliveries that run out of their retry window (1.5 s here), seen and replayed from the admin API
// and the events CLI; and `npm run square -- listen` as a destination.
describe('forwarding: dead letters, replay and the local listener', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let admin: AppProcess;
  let listener: ChildProcess | undefined;
  let listenPort: number;
  let listenOutput = '';
  let env: Record<string, string>;
  const orders = new WebhookReceiver(SECRET);
  const crm = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('forwarding_replay');
    prefix = uniqueName('q');
    await orders.listen();
    await crm.listen();
    listenPort = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), 'forwarding-replay-')), 'destinations.yml');
    writeFileSync(
      file,
      `destinations:
  - { name: orders, url: '${orders.url}', secret: '\${HOOK_SECRET}', eventTypes: [payment.*], merchantIds: [MORDERS] }
  - { name: crm, url: '${crm.url}', secret: '\${HOOK_SECRET}', eventTypes: ['*'], merchantIds: [MCRM] }
  - { name: listen, url: 'http://127.0.0.1:${listenPort}/', secret: '\${HOOK_SECRET}', eventTypes: ['*'], merchantIds: [MLISTEN] }
`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      FORWARD_DESTINATIONS_FILE: file,
      HOOK_SECRET: SECRET,
      LOG_LEVEL: 'warn',
    };
    worker = await spawnApp(
      'worker',
      {
        ...env,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        FORWARD_BACKOFF_MS: '100',
        FORWARD_MAX_BACKOFF_MS: '300',
        FORWARD_RETRY_FOR_MS: '1500',
      },
      'WORKER_PORT',
    );
    // The admin app reads the destinations' names only: it is not given their secret.
    admin = await spawnApp(
      ADMIN_MAIN,
      { ...env, HOOK_SECRET: '', ADMIN_HOST: '127.0.0.1', ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'pw' },
      'ADMIN_PORT',
    );
  });

  afterAll(async () => {
    listener?.kill('SIGKILL');
    await worker?.stop('SIGKILL');
    await admin?.stop('SIGKILL');
    await ingress?.close();
    await orders.close();
    await crm.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (eventId: string, merchantId: string) => {
    const body = paymentEventBody(eventId, String(PAYMENT.id), 3, merchantId);
    expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(200);
  };
  const get = (path: string) => callApp(admin, path, { headers: AUTH });
  const post = (path: string) => callApp(admin, path, { method: 'POST', headers: { ...AUTH, ...JSON_CHANGE } });
  const deliveryOf = async (eventId: string) =>
    ((await get(`/admin/api/deliveries?eventId=${eventId}`)).json.deliveries as Json[])[0];
  const settled = (eventId: string, status: string) =>
    eventually(
      async () => {
        const d = await deliveryOf(eventId);
        return d?.status === status ? d : undefined;
      },
      15_000,
      `the delivery of ${eventId} to be ${status}`,
    );

  it('a delivery refused for its whole retry window is dead-lettered, and the admin API shows why', async () => {
    orders.answer = () => ({ status: 500 });
    await send('dl-1', 'MORDERS');
    const dead = await settled('dl-1', 'dead_lettered');
    expect(dead).toMatchObject({
      destination: 'orders',
      eventType: 'payment.updated',
      lastStatus: 500,
      lastError: expect.stringContaining('answered 500'),
      nextAttemptAt: null,
    });
    expect(dead.attempts).toBeGreaterThanOrEqual(3);
    expect(orders.of('dl-1')).toHaveLength(dead.attempts as number);

    const listed = await get('/admin/api/deliveries?destination=orders&status=dead_lettered');
    expect((listed.json.deliveries as Json[]).map((d) => d.eventId)).toEqual(['dl-1']);
    const detail = await get(`/admin/api/deliveries/${String(dead.id)}`);
    expect(JSON.parse(String(detail.json.body))).toMatchObject({ type: 'payment.updated', data: { event_id: 'dl-1' } });

    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(/square_forward_deliveries_total\{destination="orders",outcome="dead_lettered"\} 1/);
    expect(metrics).toMatch(/square_forward_deliveries_total\{destination="orders",outcome="failed"\} \d/);
    expect(metrics).toMatch(/square_forward_backlog\{destination="orders"\} 0/);
    expect(metrics).toMatch(/square_forward_request_seconds_count\{destination="orders",status="5xx"\} \d/);
  });

  it('replays one delivery from the admin API: the same body and webhook-id, delivered', async () => {
    orders.answer = () => ({ status: 200 });
    const dead = (await deliveryOf('dl-1'))!;
    // Bull Board's card of the failed job names the event and its type; its trace is the answer, not our stack.
    const failedJobs = async () =>
      (
        (await get('/admin/queues/api/queues?activeQueue=forward-orders&status=failed&page=1')).json.queues as Json[]
      ).find((q) => q.name === 'forward-orders')!.jobs as Json[];
    const [card] = await failedJobs();
    expect(card).toMatchObject({ data: { deliveryId: dead.id, eventId: 'dl-1', eventType: 'payment.updated' } });
    const trace = card!.stacktrace as string[];
    expect(trace[0]).toMatch(/^DeadLettered: dead-lettered after \d+ attempts: .* answered 500$/);
    for (const line of trace) expect(line).toMatch(/^(RetryDelivery|DeadLettered): [^\n]* answered 500$/);
    const before = orders.of('dl-1').length;
    const replay = await post(`/admin/api/deliveries/${String(dead.id)}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ deliveryId: dead.id, result: 'replayed' });
    expect(await settled('dl-1', 'delivered')).toMatchObject({ replayCount: 1, lastStatus: 200 });
    const tries = orders.of('dl-1');
    expect(tries).toHaveLength(before + 1);
    expect(new Set(tries.map((t) => t.webhookId)).size).toBe(1);
    expect(tries.every((t) => t.verified)).toBe(true);
    // Delivered after its replay: its old job no longer shows as failed.
    await eventually(async () => (await failedJobs()).length === 0 || undefined, 10_000, 'the failed job to go');

    expect((await post(`/admin/api/deliveries/${String(dead.id)}/replay`)).status).toBe(409);
    expect((await post('/admin/api/deliveries/999999/replay')).status).toBe(404);
    expect((await get('/admin/api/deliveries/not-an-id')).status).toBe(404);
    expect((await post('/admin/api/destinations/nowhere/replay')).status).toBe(404);
  });

  it('refuses bad list parameters, naming each', async () => {
    const res = await get('/admin/api/deliveries?status=lost&limit=0&cursor=x&destinaton=orders');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ statusCode: 400, error: 'Bad request' });
    expect(String(res.json.message)).toMatch(
      /destinaton[\s\S]*status must be one of pending, delivered, dead_lettered[\s\S]*limit[\s\S]*cursor/,
    );
  });

  it('replays every dead letter of a destination from the CLI, and lists the forward queues in Bull Board', async () => {
    crm.answer = () => ({ status: 503, headers: { 'retry-after': '0' } });
    const ids = ['crm-1', 'crm-2', 'crm-3'];
    for (const id of ids) await send(id, 'MCRM');
    for (const id of ids) await settled(id, 'dead_lettered');
    crm.answer = () => ({ status: 204 });

    const unknown = await runNode(
      'dist/apps/cli/src/events.main.js',
      ['replay-delivery', '--destination', 'nowhere'],
      env,
    );
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'no destination "nowhere" in FORWARD_DESTINATIONS_FILE (it lists orders, crm, listen)',
      ),
    });
    // Set inline for the worker but not for the CLI: named, not "none configured".
    const unset = await runNode('dist/apps/cli/src/events.main.js', ['replay-delivery', '--destination', 'crm'], {
      ...env,
      FORWARD_DESTINATIONS_FILE: '',
    });
    expect(unset).toMatchObject({ code: 1, stderr: expect.stringContaining('FORWARD_DESTINATIONS_FILE is not set') });
    const run = await runNode('dist/apps/cli/src/events.main.js', ['replay-delivery', '--destination', 'crm'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 replayed, 0 skipped, 0 not found');
    for (const id of ids) expect(await settled(id, 'delivered')).toMatchObject({ lastStatus: 204 });
    const missing = await runNode('dist/apps/cli/src/events.main.js', ['replay-delivery', '424242'], env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no delivery 424242') });

    const names = ((await get('/admin/queues/api/queues')).json.queues as Json[]).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['forward-orders', 'forward-crm', 'forward-listen']));
  });

  it('npm run square -- listen: verifies and prints what it is sent, refuses a bad signature', async () => {
    listener = spawn(
      process.execPath,
      ['dist/apps/cli/src/square.main.js', 'listen', '--port', String(listenPort), '--secret', SECRET],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    listener.stdout!.on('data', (d: Buffer) => (listenOutput += d.toString()));
    await eventually(async () => listenOutput.includes('listening on') || undefined, 10_000, 'square listen to start');
    await send('listen-1', 'MLISTEN');
    await eventually(
      async () => /webhook-id=msg_\S+ verified payment\.updated listen-1 payment /.test(listenOutput) || undefined,
      15_000,
      'listen to print the delivery',
    );
    expect(listenOutput).toContain('"event_id": "listen-1"');
    await settled('listen-1', 'delivered');

    const wrong = new Webhook(`whsec_${Buffer.from('not-the-secret-0123456789abcdefg').toString('base64')}`);
    const body = JSON.stringify({ type: 'payment.updated', data: {} });
    const now = new Date();
    const res = await fetch(`http://127.0.0.1:${listenPort}/`, {
      method: 'POST',
      body,
      headers: {
        'webhook-id': 'msg_x',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': wrong.sign('msg_x', now, body),
      },
    });
    expect(res.status).toBe(401);
    await eventually(
      async () => listenOutput.includes('webhook-id=msg_x signature invalid') || undefined,
      5000,
      'listen to report the bad signature',
    );
  });
});

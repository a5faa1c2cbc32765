import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { ADMIN_MAIN, callApp, type Json } from './support/admin.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const SECRET = `whsec_${Buffer.from('circuit-secret-0123456789abcdefgh').toString('base64')}`;
// The outage is 60 s; TEST_FORWARD_OUTAGE_MS shortens it for a quick local run.
const OUTAGE_MS = Number(process.env.TEST_FORWARD_OUTAGE_MS ?? 60_000);
const EVENTS = 200;
const EVENTS_CLI = 'dist/apps/cli/src/events.main.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Each destination has its own seller, so that cases cannot see each other's deliveries.
describe('forwarding: a circuit per destination, pause, resume, retry-now, auto-pause, reload', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let admin: AppProcess | undefined;
  let file: string;
  const r = {
    down: new WebhookReceiver(SECRET),
    held: new WebhookReceiver(SECRET),
    flaky: new WebhookReceiver(SECRET),
    doomed: new WebhookReceiver(SECRET),
    gone: new WebhookReceiver(SECRET),
    moved: new WebhookReceiver(SECRET),
    movedAgain: new WebhookReceiver(SECRET),
    extra: new WebhookReceiver(SECRET),
  };
  const destination = (name: string, receiver: WebhookReceiver, merchant: string) =>
    `  - { name: ${name}, url: '${receiver.url}', secret: '\${HOOK_SECRET}', eventTypes: ['*'], merchantIds: [${merchant}] }\n`;
  // After the receivers listen (their URLs name their ports).
  const first = () =>
    `destinations:\n${destination('down', r.down, 'MDOWN')}${destination('held', r.held, 'MHELD')}${destination('flaky', r.flaky, 'MFLAKY')}` +
    `${destination('doomed', r.doomed, 'MDOOMED')}${destination('gone', r.gone, 'MGONE')}${destination('moved', r.moved, 'MMOVED')}`;
  let env: Record<string, string>;
  const workerEnv = (extra: Record<string, string> = {}) => ({
    ...env,
    SQUARE_ACCESS_TOKEN: 'test-token',
    SQUARE_BASE_URL: fake.url,
    LOG_LEVEL: 'log',
    FORWARD_BACKOFF_MS: '1000',
    FORWARD_MAX_BACKOFF_MS: '3600000',
    FORWARD_PROBE_MAX_MS: '5000',
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase('forwarding_circuit');
    prefix = uniqueName('q');
    await Promise.all(Object.values(r).map((x) => x.listen()));
    file = join(mkdtempSync(join(tmpdir(), 'forwarding-circuit-')), 'destinations.yml');
    writeFileSync(file, first());
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
    };
    worker = await spawnApp('worker', workerEnv(), 'WORKER_PORT', 2_000_000);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await admin?.stop('SIGKILL');
    await ingress?.close();
    await Promise.all(Object.values(r).map((x) => x.close()));
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (eventId: string, merchantId: string) => {
    const body = paymentEventBody(eventId, String(PAYMENT.id), 3, merchantId);
    expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(200);
  };
  const cli = (...args: string[]) => runNode(EVENTS_CLI, args, { ...env, LOG_LEVEL: 'warn' });
  const circuit = async (name: string) =>
    (
      await db.query<{ state: string; paused_by: string | null }>(
        'SELECT state, paused_by FROM forward_destinations WHERE name = $1',
        [name],
      )
    )[0];
  const statuses = (destination: string) =>
    db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM forward_deliveries WHERE destination = $1 GROUP BY status ORDER BY status',
      [destination],
    );
  const metrics = async () => (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  const arrivedOnce = async (receiver: WebhookReceiver, ids: string[], timeoutMs: number) => {
    await eventually(
      async () => ids.every((id) => receiver.of(id).length > 0) || undefined,
      timeoutMs,
      `${ids.length} deliveries to arrive`,
    );
    for (const id of ids) expect(receiver.of(id)).toHaveLength(1);
  };

  it(
    `a destination refusing connections for ${OUTAGE_MS / 1000} s while ${EVENTS} events flow: every waiting delivery arrives within 15 s of its first 2xx, once`,
    async () => {
      await r.down.close();
      const downAt = Date.now();
      const ids = Array.from({ length: EVENTS }, (_, i) => `down-${i}`);
      // Spread over the first half of the outage, 20 at a time.
      for (let i = 0; i < EVENTS; i += 20) {
        await Promise.all(ids.slice(i, i + 20).map((id) => send(id, 'MDOWN')));
        await sleep(OUTAGE_MS / 2 / (EVENTS / 20));
      }
      await eventually(
        async () => (await circuit('down'))?.state === 'failing' || undefined,
        30_000,
        'the destination to be failing',
      );
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
      // Nothing given up on, nothing sent: the destination was down, not the deliveries.
      expect(await statuses('down')).toEqual([{ status: 'pending', n: EVENTS }]);
      expect(await metrics()).toMatch(/square_forward_destination_state\{destination="down",state="failing"\} 1/);

      await r.down.listen();
      await eventually(
        async () => ids.every((id) => r.down.of(id).length > 0) || undefined,
        60_000,
        'every delivery after the outage',
      );
      const firstOk = Math.min(...r.down.received.map((x) => x.at));
      const last = Math.max(...r.down.received.map((x) => x.at));
      expect(last - firstOk).toBeLessThan(15_000);
      expect(r.down.received).toHaveLength(EVENTS);
      expect(new Set(r.down.received.map((x) => x.webhookId)).size).toBe(EVENTS);
      expect(r.down.received.every((x) => x.verified)).toBe(true);
      await eventually(
        async () =>
          ((await statuses('down'))[0]?.status === 'delivered' && (await statuses('down')).length === 1) || undefined,
        15_000,
        'all marked delivered',
      );
      expect((await circuit('down'))?.state).toBe('healthy');
      expect(worker.output()).toMatch(/destination state: failing/);
      expect(worker.output()).toMatch(/destination state: healthy/);
    },
    OUTAGE_MS + 180_000,
  );

  it('pause holds the deliveries (none sent, none given up); resume sends each once', async () => {
    const paused = await cli('destinations', 'pause', 'held', '--reason', 'maintenance');
    expect(paused).toMatchObject({ code: 0, stdout: expect.stringContaining('held: paused') });
    const ids = Array.from({ length: 5 }, (_, i) => `held-${i}`);
    for (const id of ids) await send(id, 'MHELD');
    await eventually(
      async () => (await statuses('held'))[0]?.n === ids.length || undefined,
      15_000,
      'the deliveries to be recorded',
    );
    await sleep(3000);
    expect(r.held.received).toEqual([]);
    expect(await statuses('held')).toEqual([{ status: 'pending', n: ids.length }]);
    const listed = await cli('destinations');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/held: paused by cli \(maintenance\) since \S+\n {2}backlog 5;/);
    expect(listed.stdout).toMatch(
      /down: healthy since \S+\n {2}backlog 0; last 5 min: \d+ attempts, [\d.]+ % ok, p50 \d+ ms, p99 \d+ ms/,
    );
    await eventually(
      async () =>
        /square_forward_destination_state\{destination="held",state="paused"\} 1/.test(await metrics()) || undefined,
      5000,
      'the state metric',
    );

    expect(await cli('destinations', 'resume', 'held')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('held: healthy'),
    });
    await arrivedOnce(r.held, ids, 15_000);
    expect(await cli('destinations', 'pause', 'nowhere')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no destination "nowhere"'),
    });
  }, 60_000);

  it('retry-now sends a delivery waiting an hour on its own schedule at once', async () => {
    r.flaky.answer = (x) => (x.nth === 1 ? { status: 503, headers: { 'retry-after': '3600' } } : { status: 200 });
    await send('flaky-1', 'MFLAKY');
    const [waiting] = await eventually(
      async () => {
        const rows = await db.query<{ id: string; attempts: number; next_attempt_at: Date }>(
          "SELECT id::text, attempts, next_attempt_at FROM forward_deliveries WHERE event_id = 'flaky-1'",
        );
        return rows[0]?.attempts === 1 ? rows : undefined;
      },
      15_000,
      'the first attempt to fail',
    );
    expect(waiting!.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    const run = await cli('deliveries', 'retry-now', '--id', waiting!.id, '--id', '999999');
    expect(run).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('1 delivery(ies) due now (flaky)'),
      stderr: expect.stringContaining('no pending delivery 999999'),
    });
    await eventually(async () => r.flaky.of('flaky-1').length === 2 || undefined, 15_000, 'the retry');
    expect(r.flaky.of('flaky-1')[1]).toMatchObject({ verified: true, webhookId: r.flaky.of('flaky-1')[0]!.webhookId });
  }, 60_000);

  it('the admin API shows the destinations and pauses, resumes and retries them', async () => {
    admin = await spawnApp(
      ADMIN_MAIN,
      { ...env, HOOK_SECRET: '', ADMIN_HOST: '127.0.0.1', ADMIN_AUTH_DISABLED: 'true' },
      'ADMIN_PORT',
    );
    const post = (path: string) =>
      callApp(admin!, path, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const list = async () => (await callApp(admin!, '/admin/api/destinations')).json.destinations as Json[];
    expect((await list()).map((d) => d.name)).toEqual(['doomed', 'down', 'flaky', 'gone', 'held', 'moved']);
    expect(await post('/admin/api/destinations/flaky/pause')).toMatchObject({
      status: 200,
      json: { destination: 'flaky', state: 'paused' },
    });
    expect((await list()).find((d) => d.name === 'flaky')).toMatchObject({
      state: 'paused',
      pausedBy: 'admin:anonymous',
      backlog: 0,
    });
    expect(await post('/admin/api/destinations/flaky/resume')).toMatchObject({
      status: 200,
      json: { state: 'healthy' },
    });
    expect(await post('/admin/api/deliveries/retry-now?destination=flaky')).toMatchObject({
      status: 200,
      json: { destinations: ['flaky'], paused: [] },
    });
    expect((await post('/admin/api/destinations/nowhere/pause')).status).toBe(404);
  }, 60_000);

  it('a reload adds, changes and removes destinations; a bad file changes nothing', async () => {
    await r.gone.close();
    await send('gone-1', 'MGONE');
    await eventually(
      async () =>
        (await db.query("SELECT 1 FROM forward_deliveries WHERE event_id = 'gone-1' AND attempts > 0")).length > 0 ||
        undefined,
      15_000,
      'gone-1 to fail',
    );
    writeFileSync(
      file,
      first()
        .replace(destination('gone', r.gone, 'MGONE'), '')
        .replace(r.moved.url, r.movedAgain.url) + destination('extra', r.extra, 'MEXTRA'),
    );
    await eventually(async () => /destinations reloaded/.test(worker.output()) || undefined, 10_000, 'the reload');

    await send('extra-1', 'MEXTRA');
    await send('moved-1', 'MMOVED');
    await send('gone-2', 'MGONE');
    await arrivedOnce(r.extra, ['extra-1'], 15_000);
    await arrivedOnce(r.movedAgain, ['moved-1'], 15_000);
    expect(r.moved.received).toEqual([]);
    expect(await db.query("SELECT 1 FROM forward_deliveries WHERE event_id = 'gone-2'")).toEqual([]);
    const listed = await cli('destinations');
    expect(listed.stdout).toMatch(
      /gone \(removed from the file; pending deliveries kept\): \w+ since \S+\n {2}backlog 1;/,
    );

    writeFileSync(
      file,
      `destinations:\n  - { name: Extra, url: 'ftp://x', secret: '\${HOOK_SECRET}', eventTypes: [] }\n`,
    );
    await eventually(async () => /destinations file refused/.test(worker.output()) || undefined, 10_000, 'the refusal');
    const refusal = worker
      .output()
      .split('\n')
      .find((l) => l.includes('destinations file refused'))!;
    expect(refusal).toMatch(/destinations\[0\]\.name.*destinations\[0\]\.url.*destinations\[0\]\.eventTypes/);
    expect(refusal).not.toContain(SECRET.slice(6));
    await send('extra-2', 'MEXTRA');
    await arrivedOnce(r.extra, ['extra-2'], 15_000);

    // SIGHUP reloads too (here: the same bad file, refused again), and never stops the worker.
    const refusals = () => worker.output().match(/destinations file refused/g)?.length ?? 0;
    const before = refusals();
    process.kill(worker.pid, 'SIGHUP');
    await eventually(async () => refusals() > before || undefined, 10_000, 'the reload on SIGHUP');
    await send('extra-3', 'MEXTRA');
    await arrivedOnce(r.extra, ['extra-3'], 15_000);
  }, 90_000);

  it('a destination failing for FORWARD_AUTO_PAUSE_AFTER is paused once, logged, counted; nothing dead-lettered', async () => {
    writeFileSync(file, first());
    await worker.stop('SIGTERM');
    worker = await spawnApp(
      'worker',
      workerEnv({ FORWARD_AUTO_PAUSE_AFTER: '5s', FORWARD_PROBE_MAX_MS: '1000' }),
      'WORKER_PORT',
      2_000_000,
    );
    await r.doomed.close();
    for (let i = 0; i < 10; i++) await send(`doomed-${i}`, 'MDOOMED');
    await eventually(async () => (await circuit('doomed'))?.state === 'paused' || undefined, 45_000, 'the auto-pause');
    expect(await circuit('doomed')).toEqual({ state: 'paused', paused_by: 'auto' });
    await sleep(2000);
    expect(worker.output().match(/destination state: paused/g)).toHaveLength(1);
    expect(await metrics()).toMatch(/square_forward_auto_pauses_total\{destination="doomed"\} 1/);
    expect(await statuses('doomed')).toEqual([{ status: 'pending', n: 10 }]);
  }, 90_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;

// The team's handler, written by the test as a user would: one row per call, no unique key, so
// that a second application of an event would show as a second row. What it does depends on the
// event id's prefix.
const HANDLER = `
export default [{
  name: 'recorder',
  eventTypes: ['payment.*'],
  async handle({ event, object, sql, attempt, logger }) {
    const id = event.id;
    if (id.startsWith('flaky-') && attempt < 3) throw new Error('the CRM is not answering');
    if (id.startsWith('fatal-')) {
      const { rows } = await sql('SELECT fail FROM handler_switch');
      if (rows[0].fail) throw Object.assign(new Error('order not found in the ERP'), { permanent: true });
    }
    if (id.startsWith('sleep-')) await sql('SELECT pg_sleep(1)');
    if (id.startsWith('hang-js-') && attempt === 1) await new Promise(() => {});
    if (id.startsWith('hang-sql-') && attempt === 1) await sql('SELECT pg_sleep(30)');
    await sql('INSERT INTO handled (event_id, handler, attempt, version, status) VALUES ($1, $2, $3, $4, $5)',
      [id, 'recorder', attempt, object?.version ?? null, object?.status ?? null]);
    logger.log('recorded', { attempt });
  },
}, {
  name: 'notices',
  eventTypes: ['webhooks.test_notification'],
  async handle({ event, object, sql }) {
    await sql('INSERT INTO handled (event_id, handler, status) VALUES ($1, $2, $3)', [event.id, 'notices', object === null ? 'no object' : 'object']);
  },
}];`;

describe("event handlers: the team's code in the event's transaction", () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let handlerFile: string;

  const workerEnv = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SQUARE_ACCESS_TOKEN: 'test-token',
    SQUARE_BASE_URL: fake.url,
    SQUARE_EVENT_HANDLERS: `${handlerFile},dist/team-handlers/paid-orders.handler.js`,
    SQUARE_EVENT_HANDLER_TIMEOUT_MS: '2500',
    JOB_ATTEMPTS: '5',
    JOB_BACKOFF_MS: '50',
    JOB_LOCK_MS: '2000',
    LOG_LEVEL: 'warn',
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase('handlers');
    await db.query('CREATE TABLE handled (event_id text, handler text, attempt int, version int, status text)');
    await db.query('CREATE TABLE handler_switch (fail boolean)');
    await db.query('INSERT INTO handler_switch VALUES (true)');
    await db.query(
      (await import('node:fs')).readFileSync(
        'team-handlers/migrations/20261207000000_paid_orders/migration.sql',
        'utf8',
      ),
    );
    prefix = uniqueName('q');
    handlerFile = join(mkdtempSync(join(tmpdir(), 'team-handlers-')), 'recorder.mjs');
    writeFileSync(handlerFile, HANDLER);
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await spawnApp('worker', workerEnv(), 'WORKER_PORT');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (body: Buffer) => {
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return String(res.body.eventId);
  };
  const row = async (eventId: string) =>
    (
      await db.query<Record<string, unknown>>(
        'SELECT status, outcome, attempts, last_error, dead_letter_reason FROM webhook_events WHERE event_id = $1',
        [eventId],
      )
    )[0];
  const settled = (eventId: string, timeoutMs = 20_000) =>
    eventually(
      async () => {
        const r = await row(eventId);
        return r && r.status !== 'received' ? r : undefined;
      },
      timeoutMs,
      `event ${eventId} to settle`,
    );
  const handled = (eventId: string) =>
    db.query<{ handler: string; attempt: number | null; version: number | null; status: string | null }>(
      'SELECT handler, attempt, version, status FROM handled WHERE event_id = $1',
      [eventId],
    );

  it('50 concurrent deliveries of one event: the handler runs once', async () => {
    const body = paymentEventBody('storm-1', String(PAYMENT.id));
    const answers = await Promise.all(Array.from({ length: 50 }, () => ingress.post(body, signedHeaders(body, KEY))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await settled('storm-1')).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(await handled('storm-1')).toEqual([{ handler: 'recorder', attempt: 1, version: 3, status: 'COMPLETED' }]);
  });

  it("the handler is given the object retrieved from Square, not the event's snapshot", async () => {
    fake.put('payment', { ...PAYMENT, id: 'pay_retrieved', version: 7, status: 'COMPLETED' });
    const eventId = await send(paymentEventBody('retrieved-1', 'pay_retrieved', 1)); // the snapshot says version 1
    await settled(eventId);
    expect(await handled(eventId)).toEqual([expect.objectContaining({ version: 7 })]);
  });

  it('an event whose (handler, event) pair `events rerun` claimed already: processed, that handler skipped; live claims its pairs', async () => {
    await db.query("INSERT INTO handler_claims (handler, event_id) VALUES ('recorder', 'rerun-first-1')");
    const eventId = await send(paymentEventBody('rerun-first-1'));
    expect(await settled(eventId)).toMatchObject({ status: 'processed' });
    expect(await handled(eventId)).toEqual([]);
    const live = await send(paymentEventBody('live-first-1'));
    await settled(live);
    expect(await db.query('SELECT handler FROM handler_claims WHERE event_id = $1 ORDER BY handler', [live])).toEqual([
      { handler: 'paid-orders' },
      { handler: 'recorder' },
    ]);
  });

  it('fails twice, then succeeds: applied once, on attempt 3', async () => {
    const eventId = await send(paymentEventBody('flaky-1'));
    // attempts counts as ctx.attempt does: the attempt that applied it. The earlier failure stays as history.
    expect(await settled(eventId)).toMatchObject({
      status: 'processed',
      attempts: 3,
      last_error: 'handler "recorder" failed: the CRM is not answering',
    });
    expect(await handled(eventId)).toEqual([expect.objectContaining({ attempt: 3 })]);
  });

  it('a permanent failure dead-letters at once with nothing applied; replayed after the cause is fixed, applied once', async () => {
    const eventId = await send(paymentEventBody('fatal-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'handler_permanent',
      attempts: 1,
      last_error: 'handler "recorder" failed: order not found in the ERP',
    });
    expect(await handled(eventId)).toEqual([]);
    expect(await db.query('SELECT 1 FROM payments WHERE last_event_id = $1', [eventId])).toEqual([]); // the mirror rolled back too
    expect(await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', [eventId])).toEqual([]);

    await db.query('UPDATE handler_switch SET fail = false');
    const replay = await runNode('dist/apps/cli/src/events.main.js', ['replay', eventId], {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
    expect(replay.code).toBe(0);
    expect(await settled(eventId)).toMatchObject({ status: 'processed' });
    expect(await handled(eventId)).toHaveLength(1);
  });

  it('SIGKILL of the worker while the handler runs: after the restart, applied once', async () => {
    const eventId = await send(paymentEventBody('sleep-1'));
    await eventually(
      async () =>
        (
          await db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep(1)%'`, [
            db.name,
          ])
        ).length > 0,
      10_000,
      'the handler to be inside its statement',
    );
    await worker.stop('SIGKILL');
    worker = await spawnApp('worker', workerEnv(), 'WORKER_PORT');
    expect(await settled(eventId, 30_000)).toMatchObject({ status: 'processed' });
    expect(await handled(eventId)).toHaveLength(1);
    expect(await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', [eventId])).toHaveLength(1);
  });

  it.each(['hang-js-1', 'hang-sql-1'])(
    '%s: past SQUARE_EVENT_HANDLER_TIMEOUT_MS the attempt is rolled back and retried',
    async (id) => {
      const eventId = await send(paymentEventBody(id));
      expect(await settled(eventId)).toMatchObject({
        status: 'processed',
        attempts: 2,
        last_error: 'handler "recorder" did not finish within 2500 ms (SQUARE_EVENT_HANDLER_TIMEOUT_MS); rolled back',
      });
      expect(await handled(eventId)).toEqual([expect.objectContaining({ attempt: 2 })]);
    },
  );

  // (Types no one wants are ignored: worker.e2e-spec.ts, with webhooks.test_notification.)
  it('a handler that asked for a type with no object runs with object null', async () => {
    const notice = await send(
      Buffer.from(
        JSON.stringify({
          event_id: 'notice-1',
          type: 'webhooks.test_notification',
          merchant_id: 'M',
          data: { type: 'webhooks', id: 'n1' },
        }),
      ),
    );
    expect(await settled(notice)).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(await handled(notice)).toEqual([{ handler: 'notices', attempt: null, version: null, status: 'no object' }]);
  });

  it('the example handler (team-handlers/paid-orders.handler.ts) marks the order paid once', async () => {
    fake.put('payment', { ...PAYMENT, id: 'pay_order_1', order_id: 'order-1', status: 'COMPLETED' });
    for (const id of ['paid-1', 'paid-2']) await settled(await send(paymentEventBody(id, 'pay_order_1')));
    expect(
      await db.query("SELECT order_id, payment_id, amount, event_id FROM paid_orders WHERE order_id = 'order-1'"),
    ).toEqual([{ order_id: 'order-1', payment_id: 'pay_order_1', amount: '2450', event_id: 'paid-1' }]);
  });

  it('refuses to start with a SQUARE_EVENT_HANDLERS that cannot be used, in one line naming it', async () => {
    const run = await runNode('dist/apps/worker/src/main.js', [], {
      ...workerEnv(),
      SQUARE_EVENT_HANDLERS: './no/such/handler.mjs',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^Invalid configuration:\n {2}- SQUARE_EVENT_HANDLERS: \.\/no\/such\/handler\.mjs does not exist \(looked for .*\)\n$/,
    );
  });
});

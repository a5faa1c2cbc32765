import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeriodicLock, createPgPool } from '@app/database';
import { FakeSquareServer } from '@app/testing';
import { ADMIN_MAIN, callApp, type Json } from './support/admin.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const SECRET = `whsec_${Buffer.from('pgbouncer'.padEnd(32, '.')).toString('base64')}`;
const EVENTS = 40;
const MISSED = 5;

// The team's handler: a row per call, so an event applied twice would show twice.
const HANDLER = `export default [{ name: 'recorder', eventTypes: ['payment.*'], async handle({ event, sql }) {
  await sql('INSERT INTO handled (event_id) VALUES ($1)', [event.id]);
} }];`;

/** An event as Square's Events API returns it, never delivered as a webhook. */
const loggedEvent = (eventId: string) => ({
  merchant_id: 'MRECONCILE',
  location_id: 'LRECONCILE',
  type: 'payment.updated',
  event_id: eventId,
  created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
  data: {
    type: 'payment',
    id: `payment_${eventId}`,
    object: { payment: { id: `payment_${eventId}`, status: 'COMPLETED', version: 1 } },
  },
});

// The pipeline's core through PgBouncer 1.18 in transaction mode, with fewer server connections
// (3) than the worker's and the ingress' pools: consecutive transactions of one client land on
// different server connections, so a named prepared statement would be missing or already there.
describe.each([
  { mode: 'with DATABASE_DIRECT_URL (LISTEN and the periodic locks on it)', direct: true },
  { mode: 'without a direct URL (the relay polls, the periodic tasks take a lease)', direct: false },
])('through PgBouncer in transaction mode, $mode', ({ direct }) => {
  let db: TestDatabase;
  let bouncer: PgBouncer;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  const receiver = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('pgbouncer');
    await db.query('CREATE TABLE handled (event_id text)');
    bouncer = await startPgBouncer(db.url, 3);
    prefix = uniqueName('q');
    await receiver.listen();
    const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-suite-'));
    writeFileSync(join(dir, 'recorder.mjs'), HANDLER);
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:\n  - name: team\n    url: ${receiver.url}\n    secret: ${SECRET}\n    eventTypes: [payment.*]\n`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    for (let i = 0; i < MISSED; i++) fake.eventLog.add(loggedEvent(`missed-${i}`));
    await fake.listen();
    const config = ingressConfig(bouncer.url, { signatureKeys: [KEY] });
    ingress = await startIngress({ ...config, database: { ...config.database, pooler: 'transaction' } });
    worker = await spawnApp(
      'worker',
      {
        DATABASE_URL: bouncer.url,
        DATABASE_POOLER: 'transaction',
        ...(direct ? { DATABASE_DIRECT_URL: db.url } : {}),
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        SQUARE_EVENT_HANDLERS: join(dir, 'recorder.mjs'),
        FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
        FORWARD_BACKOFF_MS: '100',
        SQUARE_RECONCILE_INTERVAL_MS: '1000',
        SQUARE_RECONCILE_LOOKBACK_MS: String(60 * 60_000),
        SQUARE_RECONCILE_OVERLAP_MS: '60000',
        SQUARE_RECONCILE_LAG_MS: '0',
        RETENTION_INTERVAL_MS: '1000',
        JOB_LOCK_MS: '5000',
        LOG_LEVEL: 'warn',
      },
      'WORKER_PORT',
    );
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await receiver.close();
    await fake?.close();
    await bouncer?.stop();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  it("captures, applies once with the handler's insert, forwards once, and recovers what Square never delivered", async () => {
    const ids = Array.from({ length: EVENTS }, (_, i) => `bounced-${i}`);
    const answers = await Promise.all(
      ids.map((id) => {
        const body = paymentEventBody(id, `pay_${id}`); // a payment each: each is applied (the fake synthesizes it)
        return ingress.post(body, signedHeaders(body, KEY));
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));

    const missed = Array.from({ length: MISSED }, (_, i) => `missed-${i}`);
    const all = [...ids, ...missed];
    const settled = await eventually(
      async () => {
        const rows = await db.query<{ event_id: string; status: string; outcome: string; source: string }>(
          'SELECT event_id, status, outcome, source FROM webhook_events WHERE event_id = ANY($1) ORDER BY event_id',
          [all],
        );
        return rows.length === all.length && rows.every((r) => r.status === 'processed') ? rows : undefined;
      },
      60_000,
      'every event processed',
    );
    expect(settled.filter((r) => r.source === 'events_api').map((r) => r.event_id)).toEqual(missed);
    expect(settled.every((r) => r.outcome === 'applied')).toBe(true);

    const handled = await db.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM handled GROUP BY event_id ORDER BY event_id',
    );
    expect(handled).toEqual([...all].sort().map((event_id) => ({ event_id, n: 1 })));

    await eventually(async () => receiver.received.length >= all.length, 30_000, 'every event forwarded');
    const forwarded = receiver.received.map((r) => r.body.data.event_id).sort();
    expect(forwarded).toEqual([...all].sort());
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it(
    direct
      ? 'the relay LISTENs on the direct URL'
      : 'nothing holds a session: no LISTEN, no advisory lock left on a shared connection',
    async () => {
      const listening = async () =>
        (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN job_outbox'",
          )
        )[0]!.n;
      if (direct) {
        expect(await eventually(listening, 10_000, 'the relay to LISTEN')).toBe(1);
        return;
      }
      expect(await listening()).toBe(0);
      // Reconcile and retention pass every second: what they hold is a lease row, never a session lock.
      await eventually(
        async () => (await db.query('SELECT 1 FROM reconcile_checkpoints')).length > 0,
        20_000,
        'a reconcile pass',
      );
      expect(
        await db.query(
          "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        ),
      ).toEqual([]);
    },
  );

  it("a periodic task's lock is held by one worker at a time, and free again once its pass ends", async () => {
    const database = {
      url: bouncer.url,
      poolSize: 4,
      pooler: 'transaction' as const,
      directUrl: direct ? db.url : undefined,
    };
    const pools = [createPgPool(database), createPgPool(database)];
    const [first, second] = pools.map((pool) => new PeriodicLock(pool, database));
    try {
      const LOCK = 0x7e57;
      let release = () => undefined as void;
      const held = first!.run(LOCK, () => new Promise<string>((resolve) => (release = () => resolve('first ran'))));
      await eventually(
        async () =>
          (
            await db.query(
              direct
                ? "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 32343 AND granted"
                : 'SELECT 1 FROM periodic_leases WHERE lock_id = 32343',
            )
          ).length === 1,
        10_000,
        'the first to hold the lock',
      );
      expect(await second!.run(LOCK, async () => 'second ran')).toBeUndefined();
      release();
      expect(await held).toBe('first ran');
      expect(await second!.run(LOCK, async () => 'second ran')).toBe('second ran');
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('the admin app (Prisma over the same pool) lists and shows events through the pooler', async () => {
    const admin = await spawnApp(
      ADMIN_MAIN,
      {
        DATABASE_URL: bouncer.url,
        DATABASE_POOLER: 'transaction',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        ADMIN_HOST: '127.0.0.1',
        ADMIN_AUTH_DISABLED: 'true',
        LOG_LEVEL: 'warn',
      },
      'ADMIN_PORT',
    );
    try {
      const pages = await Promise.all(Array.from({ length: 10 }, () => callApp(admin, '/admin/api/events?limit=5')));
      expect(pages.map((p) => [p.status, (p.json.events as Json[]).length])).toEqual(pages.map(() => [200, 5]));
      const shown = await callApp(admin, '/admin/api/events/bounced-0');
      expect([shown.status, shown.json.eventId]).toEqual([200, 'bounced-0']);
    } finally {
      await admin.stop('SIGKILL');
    }
  });
});

import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@app/database';
import { storeInboxEvent } from './support/admin.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { MIGRATIONS_DIR, createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const EVENTS_CLI = 'dist/apps/cli/src/events.main.js';
const PARTITIONED = '20261211000000_partitioned_inbox';

/** The first instant (UTC) of the month `offset` months from this one. */
const monthStart = (offset: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
};
const partitionName = (offset: number) => {
  const d = monthStart(offset);
  return `webhook_events_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

// An inbox that lasts years (issue 26, part 3): monthly partitions made ahead by the worker,
// dropped whole by retention, and event ids unique forever (webhook_event_ids).
describe('the partitioned inbox', () => {
  let db: TestDatabase;
  let prefix: string;
  let ingress: TestIngress;
  let worker: AppProcess | undefined;
  let env: Record<string, string>;

  const partitions = async () =>
    (
      await db.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'webhook_events'::regclass ORDER BY 1",
      )
    )
      .map((r) => r.name)
      .sort();
  const rowOf = async (id: string) =>
    (
      await db.query<{ partition: string; status: string; purged: boolean; delivery_count: number }>(
        `SELECT tableoid::regclass::text AS partition, status, purged_at IS NOT NULL AS purged, delivery_count
         FROM webhook_events WHERE event_id = $1`,
        [id],
      )
    )[0];
  const redeliver = async (id: string) => {
    const body = paymentEventBody(id);
    return (await ingress.post(body, signedHeaders(body, KEY))).body as { status: string };
  };

  beforeAll(async () => {
    db = await createTestDatabase('partitions');
    prefix = uniqueName('q');
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  it('a fresh database has this month and three ahead, and a default partition', async () => {
    expect(await partitions()).toEqual([0, 1, 2, 3].map(partitionName).concat('webhook_events_default').sort());
    expect(await redeliver('part-new')).toMatchObject({ status: 'accepted' });
    expect(await rowOf('part-new')).toMatchObject({ partition: partitionName(0) });
  });

  it('a redelivery of an event received 13 months ago, in its own partition, is a duplicate', async () => {
    await db.query('SELECT webhook_events_make_partitions($1, 1)', [monthStart(-13)]);
    await db.query('SELECT webhook_events_make_partitions($1, 1)', [monthStart(-14)]);
    const at = (offset: number) => new Date(monthStart(offset).getTime() + 86_400_000).toISOString();
    await storeInboxEvent(db, 'part-old', { status: 'processed', receivedAt: at(-13) });
    // Still 'received' 14 months on (a worker that never got to it): its month is never dropped.
    await storeInboxEvent(db, 'part-stuck', { status: 'received', receivedAt: at(-14) });
    expect(await rowOf('part-old')).toMatchObject({ partition: partitionName(-13), delivery_count: 1 });

    expect(await redeliver('part-old')).toMatchObject({ status: 'duplicate' });
    expect(await rowOf('part-old')).toMatchObject({ delivery_count: 2, status: 'processed' });
    expect(await db.query("SELECT 1 FROM webhook_events WHERE event_id = 'part-old'")).toHaveLength(1);
    expect(await db.query("SELECT 1 FROM job_outbox WHERE ref = 'part-old'")).toEqual([]);
  });

  it('the worker makes the months ahead; retention purges, then drops the expired month whole, its ids kept', async () => {
    await db.query(`DROP TABLE ${partitionName(3)}`);
    worker = await spawnApp(
      'worker',
      {
        ...env,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: 'http://127.0.0.1:9',
        SWEEP_INTERVAL_MS: '3600000',
        RETENTION_INTERVAL_MS: '500',
        RETENTION_EVENT_DAYS: '30',
        RETENTION_DEAD_LETTERED_DAYS: '90',
      },
      'WORKER_PORT',
    );
    await eventually(async () => (await partitions()).includes(partitionName(3)) || undefined, 15_000, 'month +3');
    await eventually(
      async () => (!(await partitions()).includes(partitionName(-13)) ? true : undefined),
      15_000,
      'the 13-month-old partition to be dropped',
    );
    // The month holding an unfinished event stays, and so does this month.
    expect(await partitions()).toEqual(expect.arrayContaining([partitionName(-14), partitionName(0)]));
    expect(await rowOf('part-old')).toBeUndefined();
    expect(await db.query("SELECT event_id FROM webhook_event_ids WHERE event_id = 'part-old'")).toHaveLength(1);

    // Its row is gone, its id is not: still a duplicate, and nothing is stored or queued again.
    expect(await redeliver('part-old')).toMatchObject({ status: 'duplicate' });
    expect(await rowOf('part-old')).toBeUndefined();
    expect(await db.query("SELECT 1 FROM job_outbox WHERE ref = 'part-old'")).toEqual([]);
  });

  it('erasure empties bodies inside a live month, the rows staying in their partition', async () => {
    await db.query(
      `INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status)
       VALUES ('part-erase', 'payment.updated', 'MPARTERASE', 'sha256', 'x', '{"merchant_id":"MPARTERASE"}', 'processed')`,
    );
    const run = await runNode(EVENTS_CLI, ['erase', '--merchant-id', 'MPARTERASE'], env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('1 event bodies');
    const [row] = await db.query<{ partition: string; payload: unknown; merchant_id: string | null; bytes: number }>(
      `SELECT tableoid::regclass::text AS partition, payload, merchant_id, length(raw_body) AS bytes
       FROM webhook_events WHERE event_id = 'part-erase'`,
    );
    expect(row).toEqual({ partition: partitionName(0), payload: null, merchant_id: null, bytes: 0 });
  });

  it('an unpartitioned inbox migrates in place: every row kept, in one partition, and still deduplicated', async () => {
    const old = await createTestDatabase('partmig', { migrated: false });
    const dir = await mkdtemp(join(tmpdir(), 'sqwh-migrations-'));
    try {
      for (const name of await readdir(MIGRATIONS_DIR))
        if (name !== PARTITIONED) await cp(join(MIGRATIONS_DIR, name), join(dir, name), { recursive: true });
      await migrate(old.url, dir);
      await old.query(
        `INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status, received_at)
         SELECT 'mig-' || g, 'payment.updated', 'M1', 'sha256', 'x', jsonb_build_object('event_id', 'mig-' || g),
           (CASE WHEN g % 10 = 0 THEN 'received' ELSE 'processed' END)::webhook_event_status, now() - g * interval '1 hour'
         FROM generate_series(1, 5000) g`,
      );
      await old.query("INSERT INTO event_claims (event_id) VALUES ('mig-1')");
      const before = await old.query<{ event_id: string; status: string; received_at: Date }>(
        'SELECT event_id, status, received_at FROM webhook_events ORDER BY event_id',
      );

      expect((await migrate(old.url, MIGRATIONS_DIR)).applied).toEqual([PARTITIONED]);
      expect(await old.query('SELECT event_id, status, received_at FROM webhook_events ORDER BY event_id')).toEqual(
        before,
      );
      expect(
        await old.query(
          'SELECT tableoid::regclass::text AS partition, count(*)::int AS n FROM webhook_events GROUP BY 1',
        ),
      ).toEqual([{ partition: 'webhook_events_legacy', n: 5000 }]);
      expect(await old.query('SELECT count(*)::int AS n FROM webhook_event_ids')).toEqual([{ n: 5000 }]);
      // The events still to act on are listed apart (no index of the inbox names status).
      expect(await old.query('SELECT count(*)::int AS n FROM webhook_events_open')).toEqual([{ n: 500 }]);
      // The legacy table's indexes were adopted, not built twice (nine: its status index went).
      expect(
        await old.query("SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'webhook_events_legacy'::regclass"),
      ).toEqual([{ n: 9 }]);
      // Months from next month on; the legacy partition covers everything before.
      const names = (
        await old.query<{ name: string }>(
          "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'webhook_events'::regclass ORDER BY 1",
        )
      ).map((r) => r.name);
      expect(names.sort()).toEqual(
        [1, 2, 3].map(partitionName).concat('webhook_events_default', 'webhook_events_legacy').sort(),
      );

      const migrated = await startIngress(ingressConfig(old.url, { signatureKeys: [KEY] }));
      try {
        const body = paymentEventBody('mig-42');
        expect((await migrated.post(body, signedHeaders(body, KEY))).body).toMatchObject({ status: 'duplicate' });
        const fresh = paymentEventBody('mig-new');
        expect((await migrated.post(fresh, signedHeaders(fresh, KEY))).body).toMatchObject({ status: 'accepted' });
      } finally {
        await migrated.close();
      }
      expect(
        await old.query(
          "SELECT event_id, delivery_count FROM webhook_events WHERE event_id IN ('mig-42', 'mig-new') ORDER BY 1",
        ),
      ).toEqual([
        { event_id: 'mig-42', delivery_count: 2 },
        { event_id: 'mig-new', delivery_count: 1 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await old.drop();
    }
  });
});

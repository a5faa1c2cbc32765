import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { InboxPartitionsRepository, WebhookInboxRepository, migrate, statement } from '@app/database';
import { QUEUES } from '@app/queue';
import { adminQuery, databaseUrl } from '../../test/support/test-database.js';
import { startService } from './processes.js';
import type { Report } from './report.js';
import { QUERIES, median } from './scale.js';
import { POSTGRES_SERVER_URL } from './stack.js';

const PARTITIONED = '20261211000000_partitioned_inbox';
const MONTHS = 12;
const CHUNK = 1_000_000;

// One year of inbox, made by Postgres: rows $1+1 … $1+$2 of $3, spread evenly over the last 12
// months (this one included); 1 % dead-lettered; bodies older than 90 days purged, as the default
// retention leaves them.
const FILL = `
  INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status, received_at,
    processed_at, purged_at)
  SELECT 'bench-' || g, (ARRAY['payment.updated','payment.created','refund.updated','order.updated','customer.updated'])[1 + g % 5],
    'M' || (g % 200), 'sha256', CASE WHEN old THEN ''::bytea ELSE convert_to(p::text, 'UTF8') END, CASE WHEN old THEN 'null'::jsonb ELSE p END,
    (CASE WHEN g % 100 = 0 THEN 'dead_lettered' ELSE 'processed' END)::webhook_event_status, at, at, CASE WHEN old THEN at + interval '90 days' END
  FROM generate_series($1::bigint + 1, $1::bigint + $2::bigint) AS g,
  LATERAL (SELECT $4::timestamptz + (now() - $4::timestamptz) * (g::float8 / $3::bigint) AS at) AS t,
  LATERAL (SELECT t.at < now() - interval '90 days' AS old) AS o,
  LATERAL (SELECT jsonb_build_object('merchant_id', 'M' || (g % 200), 'type', 'payment.updated', 'event_id', 'bench-' || g,
    'data', jsonb_build_object('type', 'payment', 'id', 'pay_' || g, 'object', jsonb_build_object('payment', jsonb_build_object(
      'id', 'pay_' || g, 'status', (ARRAY['COMPLETED','FAILED','APPROVED'])[1 + g % 3], 'amount_money', jsonb_build_object('amount', g % 10000, 'currency', 'USD'))))))
  AS x(p)`;

// The capture statement before the inbox was partitioned (main before migration 20261211000000),
// for the baseline: the unpartitioned table's primary key decides what is new (ON CONFLICT).
const UNPARTITIONED_CAPTURE = statement<{ ids: string[]; bodies: string[]; queue: string }, { inserted: boolean }>(
  'bench-unpartitioned-capture',
  `
  WITH recorded AS (
    INSERT INTO webhook_events AS w (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, delivery_count)
    SELECT e.event_id, 'payment.updated', 'M1', 'sha256', convert_to(e.body, 'UTF8'), e.body::jsonb, 1
    FROM unnest(:ids::text[], :bodies::text[]) AS e(event_id, body)
    ON CONFLICT (event_id) DO UPDATE SET
      delivery_count = w.delivery_count + EXCLUDED.delivery_count, last_delivered_at = now(), updated_at = now()
    RETURNING w.event_id, (w.xmax = 0) AS inserted, w.status, w.replay_count
  ), jobs AS (
    INSERT INTO job_outbox (queue, ref, generation)
    SELECT :queue, event_id, replay_count FROM recorded WHERE status = 'received'
    ON CONFLICT (queue, ref) DO NOTHING
  )
  SELECT inserted FROM recorded`,
);

const body = (id: string) =>
  JSON.stringify({
    merchant_id: 'M1',
    type: 'payment.updated',
    event_id: id,
    data: { type: 'payment', id: `pay_${id}`, object: { payment: { id: `pay_${id}`, status: 'COMPLETED' } } },
  });

interface Db {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function database(partitioned: boolean): Promise<Db> {
  const name = `sqwh_bench_${randomBytes(3).toString('hex')}`;
  const url = databaseUrl(name, POSTGRES_SERVER_URL);
  const dir = await mkdtemp(join(tmpdir(), 'sqwh-bench-migrations-'));
  for (const m of await readdir('prisma/migrations'))
    if (partitioned || m !== PARTITIONED) await cp(join('prisma/migrations', m), join(dir, m), { recursive: true });
  await migrate(url, dir);
  await rm(dir, { recursive: true, force: true });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, POSTGRES_SERVER_URL);
    },
  };
}

/** Fills `rows` rows over 12 months; the two large indexes are built after the rows, as a restore would. */
async function fill(db: Db, rows: number, partitioned: boolean, first: Date): Promise<number> {
  const t0 = performance.now();
  const client = await db.pool.connect();
  try {
    if (partitioned) await client.query('SELECT webhook_events_make_partitions($1, $2)', [first, MONTHS]);
    await client.query('DROP INDEX webhook_events_payload_idx, webhook_events_object_id_idx');
    // The ids (and the open list) go in with one statement each afterwards rather than trigger calls per row.
    if (partitioned) await client.query('SET session_replication_role = replica');
    for (let done = 0; done < rows; done += CHUNK) {
      await client.query(FILL, [done, Math.min(CHUNK, rows - done), rows, first]);
      console.log(
        `partitions: ${partitioned ? 'partitioned' : 'unpartitioned'}: ${done + Math.min(CHUNK, rows - done)} rows`,
      );
    }
    if (partitioned) {
      await client.query('SET session_replication_role = DEFAULT');
      await client.query(
        'INSERT INTO webhook_event_ids (event_id, received_at) SELECT event_id, received_at FROM webhook_events',
      );
      await client.query(
        "INSERT INTO webhook_events_open SELECT event_id, status, received_at FROM webhook_events WHERE status IN ('received', 'dead_lettered')",
      );
    }
    await client.query("SET maintenance_work_mem = '256MB'");
    await client.query("CREATE INDEX webhook_events_object_id_idx ON webhook_events((payload -> 'data' ->> 'id'))");
    await client.query(
      'CREATE INDEX webhook_events_payload_idx ON webhook_events USING GIN (payload jsonb_path_ops) WITH (fastupdate = off)',
    );
    await client.query('VACUUM ANALYZE webhook_events');
    if (partitioned) await client.query('VACUUM ANALYZE webhook_event_ids');
  } finally {
    client.release();
  }
  return (performance.now() - t0) / 1000;
}

/** New events at the capture's batch size (200) with two batches in flight, as the ingress sends them. */
async function captureRate(run: (ids: string[]) => Promise<unknown>, events: number, tag: string): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < events) {
      const start = next;
      next += 200;
      await run(Array.from({ length: Math.min(200, events - start) }, (_, i) => `${tag}-${start + i}`));
    }
  };
  await Promise.all([lane(), lane()]);
  return events / ((performance.now() - t0) / 1000);
}

/** Per event, in µs: batches of 200 redeliveries of ids spread over the year (every month's). */
async function dedupCost(run: (ids: string[]) => Promise<unknown>, rows: number, batches: number): Promise<number> {
  const t0 = performance.now();
  for (let b = 0; b < batches; b++)
    await run(Array.from({ length: 200 }, (_, i) => `bench-${1 + Math.floor(((b * 200 + i) * 7919) % rows)}`));
  return ((performance.now() - t0) * 1000) / (batches * 200);
}

/** 10. The partitioned inbox at `rows` rows over 12 months, beside the unpartitioned table. */
export async function partitionsRun(rows: number, report: Report): Promise<void> {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1), 1));
  const events = 20_000;
  const results: Array<{ shape: string; fillSeconds: number; capture: number; dedupUs: number }> = [];
  let retention = { partition: '', rows: 0, ms: 0 };
  let idsBytesPerEvent = 0;
  const list: Array<{ query: string; ms: number; events: number }> = [];
  for (const partitioned of [true, false]) {
    const db = await database(partitioned);
    try {
      const fillSeconds = await fill(db, rows, partitioned, first);
      let run: (ids: string[]) => Promise<unknown>;
      if (partitioned) {
        const inbox = new WebhookInboxRepository(db.pool);
        run = (ids) =>
          Promise.all(
            ids.map((id) =>
              inbox.recordDelivery({
                event: { eventId: id, type: 'payment.updated', merchantId: 'M1', json: body(id), bodyKey: null },
                signatureAlgorithm: 'sha256',
                delivery: {
                  environment: null,
                  initialDeliveryTimestamp: null,
                  initialDeliveryAt: null,
                  retryNumber: null,
                  retryReason: null,
                },
              }),
            ),
          );
      } else {
        run = (ids) => UNPARTITIONED_CAPTURE.run(db.pool, { ids, bodies: ids.map(body), queue: QUEUES.squareEvents });
      }
      const capture = await captureRate(run, events, `new-${partitioned}`);
      const dedupUs = await dedupCost(run, rows, 50);
      results.push({ shape: partitioned ? 'partitioned (12 months)' : 'one table', fillSeconds, capture, dedupUs });
      console.log(
        `partitions: ${partitioned ? 'partitioned' : 'unpartitioned'}: ${rows} rows filled in ${fillSeconds.toFixed(0)} s; ` +
          `capture ${capture.toFixed(0)} events/s; a duplicate's lookup ${dedupUs.toFixed(0)} µs`,
      );
      if (partitioned) {
        const admin = await startService(
          'admin',
          'admin',
          { DATABASE_URL: db.url, ADMIN_AUTH_DISABLED: 'true', ADMIN_HOST: '127.0.0.1' },
          'ADMIN_PORT',
        );
        try {
          for (const [label, query] of QUERIES) {
            const { ms, text } = await median(`http://127.0.0.1:${admin.port}/admin/api/events?${query}`);
            list.push({ query: label, ms, events: (JSON.parse(text) as { events: unknown[] }).events.length });
            console.log(`partitions: list ${label}: ${ms} ms`);
          }
        } finally {
          await admin.stop();
        }
        const size = await db.pool.query<{ bytes: string }>(
          "SELECT pg_total_relation_size('webhook_event_ids') AS bytes",
        );
        idsBytesPerEvent = Number(size.rows[0]!.bytes) / rows;
        // A month's retention: its every body purged (older than 90 days), the month goes whole.
        const partitions = new InboxPartitionsRepository(db.pool);
        const oldest = (await partitions.list()).find((p) => p.from !== null && p.to !== null)!;
        const count = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${oldest.name}"`);
        const t0 = performance.now();
        const dropped = await partitions.dropExpired(oldest.to!);
        retention = { partition: dropped.join(', '), rows: count.rows[0]!.n, ms: performance.now() - t0 };
        console.log(
          `partitions: retention dropped ${retention.partition} (${retention.rows} rows) in ${retention.ms.toFixed(0)} ms`,
        );
      }
    } finally {
      await db.drop();
    }
  }
  report.partitions = { rows, events, results, retention, list, idsBytesPerEvent };
}

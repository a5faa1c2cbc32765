// node dist/bench/pooler.main.js (after npm run build): what DATABASE_POOLER=transaction costs.
// Per event: the capture (the ingress' batched insert) and the apply transaction (claim, payment
// upsert) with named statements (prepared once per connection, the default) against unnamed ones
// (parsed and planned on every call, as behind a transaction pooler), directly and through a
// PgBouncer in transaction mode. Variants alternate round by round, so the load other work puts
// on the machine falls on all of them alike. Postgres CPU is read from /proc for the backends of
// the benchmark's database and PgBouncer's process, Node's from process.cpuUsage().
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { EventTransactions, WebhookInboxRepository, createPgPool } from '@app/database';
import { parseSquareWebhook } from '@app/square';
import { CLAIM_EVENT } from '../apps/worker/src/square-events/process-square-event.use-case.js';
import { UPSERT_PAYMENT } from '../apps/worker/src/mirror/square-mirror.handler.js';
import { startPgBouncer } from '../test/support/pgbouncer.js';
import { paymentEventBody } from '../test/support/signing.js';
import { freshDatabase } from './support/stack.js';

const EVENTS = Number(process.env.BENCH_POOLER_EVENTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_POOLER_ROUNDS ?? 3);
const CONCURRENCY = 8;
const TICK_MS = 1000 / 100; // /proc's clock ticks (USER_HZ)

type Variant = { name: string; url: 'direct' | 'bouncer'; pooler: 'none' | 'transaction' };
const VARIANTS: Variant[] = [
  { name: 'direct, named statements', url: 'direct', pooler: 'none' },
  { name: 'direct, unnamed statements', url: 'direct', pooler: 'transaction' },
  { name: 'PgBouncer, unnamed statements', url: 'bouncer', pooler: 'transaction' },
];

const payment = (id: string) =>
  JSON.stringify({
    id: `pay_${id}`,
    version: 3,
    status: 'COMPLETED',
    merchant_id: 'MBENCH',
    updated_at: new Date().toISOString(),
  });

function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0; // a backend that ended in between
  }
}

async function main(): Promise<void> {
  const db = await freshDatabase();
  const bouncer = await startPgBouncer(db.url, 4);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const backends = async () =>
    (
      await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )
    ).rows.map((r) => r.pid);
  const postgresCpu = async () => (await backends()).reduce((sum, pid) => sum + cpuMs(pid), 0);
  const totals = new Map(VARIANTS.map((v) => [v.name, { postgres: 0, bouncer: 0, node: 0, wall: 0, events: 0 }]));
  let serial = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        const pool = createPgPool(
          { url: variant.url === 'direct' ? db.url : bouncer.url, poolSize: CONCURRENCY, pooler: variant.pooler },
          5000,
        );
        const inbox = new WebhookInboxRepository(pool);
        const apply = new EventTransactions(pool);
        // Warm the pool (connections and, for named statements, their preparation) outside the measure.
        await Promise.all(Array.from({ length: CONCURRENCY }, () => pool.query('SELECT 1')));
        const ids = Array.from({ length: EVENTS }, () => `bench-${serial++}`);
        const cpuBefore = await postgresCpu();
        const bouncerBefore = cpuMs(bouncer.pid);
        const nodeBefore = process.cpuUsage();
        const started = performance.now();
        for (let i = 0; i < ids.length; i += CONCURRENCY) {
          await Promise.all(
            ids.slice(i, i + CONCURRENCY).map(async (id) => {
              const parsed = parseSquareWebhook(paymentEventBody(id, `pay_${id}`));
              if (!parsed.ok) throw new Error(parsed.reason);
              await inbox.recordDelivery({
                event: parsed.event,
                signatureAlgorithm: 'sha256',
                delivery: {
                  environment: null,
                  initialDeliveryTimestamp: null,
                  initialDeliveryAt: null,
                  retryNumber: null,
                  retryReason: null,
                },
              });
              await apply.inEventTransaction(id, 10_000, async (tx) => {
                const claimed = await tx.run(CLAIM_EVENT, { event_id: id, handlers: [], body_key: null, object: null });
                if (claimed.rows.length === 1) await tx.run(UPSERT_PAYMENT, { object: payment(id), event_id: id });
              });
            }),
          );
        }
        const wall = performance.now() - started;
        const node = process.cpuUsage(nodeBefore);
        const postgres = (await postgresCpu()) - cpuBefore;
        const bouncerCpu = cpuMs(bouncer.pid) - bouncerBefore;
        await pool.end();
        const t = totals.get(variant.name)!;
        t.postgres += postgres;
        t.bouncer += bouncerCpu;
        t.node += (node.user + node.system) / 1000;
        t.wall += wall;
        t.events += EVENTS;
      }
    }
  } finally {
    await admin.end();
    await bouncer.stop();
    await db.drop();
  }
  console.log(
    `| Variant | Postgres CPU per event | PgBouncer CPU per event | Node CPU per event | events/s (concurrency ${CONCURRENCY}) |`,
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, t] of totals) {
    console.log(
      `| ${name} | ${(t.postgres / t.events).toFixed(3)} ms | ${(t.bouncer / t.events).toFixed(3)} ms | ${(t.node / t.events).toFixed(3)} ms | ${Math.round(t.events / (t.wall / 1000))} |`,
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

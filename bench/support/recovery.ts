import type { FakeSquareServer } from '@app/testing';
import { deleteQueuePrefix } from '../../test/support/redis.js';
import { startService } from './processes.js';
import type { Report } from './report.js';
import { REDIS_URL, baseEnv, queuePrefix, type BenchDatabase } from './stack.js';

/**
 * 6. Recovery: N events in Square's event log (the Events API) that were never delivered; time from
 * the worker's start (the reconciler's first run) until all are processed.
 */
export async function recoveryRun(
  db: BenchDatabase,
  fake: FakeSquareServer,
  events: number,
  report: Report,
): Promise<void> {
  fake.latencyMs = 0;
  const start = Date.now() - 30 * 60_000;
  for (let i = 0; i < events; i++) {
    const id = `bench_recovered_${i}`;
    fake.eventLog.add({
      merchant_id: 'ML7Q2XK4ZP1N9',
      type: 'payment.updated',
      event_id: `recovered-${i}`,
      created_at: new Date(start + i).toISOString(),
      data: { type: 'payment', id, object: { payment: { id, status: 'COMPLETED', version: 1 } } },
    });
  }
  const prefix = queuePrefix();
  const t0 = performance.now();
  const worker = await startService(
    'worker',
    'worker',
    { ...baseEnv(db.url, prefix), SQUARE_BASE_URL: fake.url, SQUARE_RECONCILE_LAG_MS: '0' },
    'WORKER_PORT',
  );
  const processed = async () =>
    Number(
      (
        await db.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM webhook_events WHERE source = 'events_api' AND status = 'processed'",
        )
      ).rows[0]!.n,
    );
  while ((await processed()) < events) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - t0) / 1000;
  await worker.stop();
  await db.truncate();
  await deleteQueuePrefix(prefix, REDIS_URL);
  console.log(
    `recovery: ${events} undelivered events found in the Events API and processed in ${seconds.toFixed(1)} s (${(events / seconds).toFixed(0)} events/s), from the worker's start`,
  );
  report.recovery = { events, seconds };
}

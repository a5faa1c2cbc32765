import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeSquareServer } from '@app/testing';
import { deleteQueuePrefix } from '../../test/support/redis.js';
import { signedLoad, type EventMix } from './load.js';
import { startService, type Service } from './processes.js';
import type { Report } from './report.js';
import { KEY, NOTIFICATION_URL, REDIS_URL, baseEnv, queuePrefix, type BenchDatabase } from './stack.js';

/** One end-to-end run: N events sent as fast as 50 connections go, timed until all are processed. */
export interface EndToEndRun {
  latencyMs: number;
  workers: number;
  /** What differs from the plain run of the same latency and workers, e.g. a handler. */
  variant?: string;
  env?: Record<string, string>;
  /** What is sent (default payments). */
  mix?: EventMix;
}

const CONNECTIONS = 50;
const WORKER_CONCURRENCY = 10;

/** A team handler doing one insert per event, in a table the bench creates (issue: handlers ≥ 90 % of without). */
export async function oneInsertHandler(db: BenchDatabase): Promise<string> {
  await db.pool.query('CREATE TABLE IF NOT EXISTS bench_handled (event_id text PRIMARY KEY, status text)');
  const file = join(mkdtempSync(join(tmpdir(), 'bench-handler-')), 'one-insert.mjs');
  writeFileSync(file, `export default { name: 'one-insert', eventTypes: ['payment.*'],
    async handle({ event, object, sql }) { await sql('INSERT INTO bench_handled (event_id, status) VALUES ($1, $2)', [event.id, object?.status ?? null]); } };`);
  return file;
}

export async function endToEnd(runs: readonly EndToEndRun[], events: (run: EndToEndRun) => number, db: BenchDatabase, fake: FakeSquareServer, report: Report): Promise<void> {
  for (const run of runs) {
    fake.latencyMs = run.latencyMs;
    const prefix = queuePrefix();
    const env = { ...baseEnv(db.url, prefix), SQUARE_BASE_URL: fake.url, ...run.env };
    const ingress = await startService('ingress', 'ingress', env, 'INGRESS_PORT');
    const workers: Service[] = [];
    for (let i = 0; i < run.workers; i++) {
      workers.push(await startService('worker', 'worker', { ...env, WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) }, 'WORKER_PORT'));
    }
    const t0 = performance.now();
    const sent = await signedLoad({ url: `http://127.0.0.1:${ingress.port}/webhooks/square`, key: KEY, notificationUrl: NOTIFICATION_URL, connections: CONNECTIONS, amount: events(run), mix: run.mix });
    const ackSeconds = (performance.now() - t0) / 1000;
    const accepted = sent.requests - sent.non2xx - sent.errors;
    while ((await db.settledCount()) < accepted) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - t0) / 1000;
    report.memory.ingress = Math.max(report.memory.ingress, ingress.peakRssMiB());
    for (const w of workers) report.memory.worker = Math.max(report.memory.worker, w.peakRssMiB());
    await Promise.all([ingress.stop(), ...workers.map((w) => w.stop())]);
    const eventsPerSecond = accepted / seconds;
    const ceiling = run.latencyMs === 0 ? undefined : (run.workers * WORKER_CONCURRENCY) / (run.latencyMs / 1000);
    console.log(`end to end: ${accepted} events, ${run.workers} worker(s), Square ${run.latencyMs} ms${run.variant ? `, ${run.variant}` : ''} → ${eventsPerSecond.toFixed(0)} events/s (acks done in ${ackSeconds.toFixed(1)} s, all processed in ${seconds.toFixed(1)} s)`);
    report.endToEnd.push({ squareLatencyMs: run.latencyMs, workers: run.workers, variant: run.variant, events: accepted, seconds, eventsPerSecond, ackSeconds, ceiling, ingress: sent });
    await db.truncate();
    await deleteQueuePrefix(prefix, REDIS_URL);
  }
  fake.latencyMs = 0;
}

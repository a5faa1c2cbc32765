import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** The worker's own, beside env (e.g. NODE_OPTIONS to profile it). */
  workerEnv?: Record<string, string>;
  /** WORKER_CONCURRENCY of each worker (default 10). */
  concurrency?: number;
}

const CONNECTIONS = 50;
const WORKER_CONCURRENCY = 10;
// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux).
const TICK_MS = 10;

/** utime + stime of a process, in ms (0 once it is gone). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

// The apps' connections say who they are (application_name in their DATABASE_URL), so the
// Postgres backends serving each can be told apart from the bench's own and from other databases'.
export const withName = (url: string, name: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=${name}`;

/** CPU ms so far of the Postgres backends serving `names`, by backend pid. */
export async function backendCpu(db: BenchDatabase, names: readonly string[]): Promise<Map<number, number>> {
  const { rows } = await db.pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ANY($1::text[])',
    [names],
  );
  return new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]));
}

/** The CPU the backends used between two readings (a backend opened in between counts whole; one closed in between is lost). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/** A team handler doing one insert per event, in a table the bench creates (issue: handlers ≥ 90 % of without). */
export async function oneInsertHandler(db: BenchDatabase): Promise<string> {
  await db.pool.query('CREATE TABLE IF NOT EXISTS bench_handled (event_id text PRIMARY KEY, status text)');
  const file = join(mkdtempSync(join(tmpdir(), 'bench-handler-')), 'one-insert.mjs');
  writeFileSync(
    file,
    `export default { name: 'one-insert', eventTypes: ['payment.*'],
    async handle({ event, object, sql }) { await sql('INSERT INTO bench_handled (event_id, status) VALUES ($1, $2)', [event.id, object?.status ?? null]); } };`,
  );
  return file;
}

export async function endToEnd(
  runs: readonly EndToEndRun[],
  events: (run: EndToEndRun) => number,
  db: BenchDatabase,
  fake: FakeSquareServer,
  report: Report,
): Promise<void> {
  for (const run of runs) {
    fake.latencyMs = run.latencyMs;
    const prefix = queuePrefix();
    const env = { ...baseEnv(db.url, prefix), SQUARE_BASE_URL: fake.url, ...run.env };
    const concurrency = run.concurrency ?? WORKER_CONCURRENCY;
    const ingress = await startService(
      'ingress',
      'ingress',
      { ...env, DATABASE_URL: withName(db.url, 'bench-ingress') },
      'INGRESS_PORT',
    );
    const workers: Service[] = [];
    for (let i = 0; i < run.workers; i++) {
      workers.push(
        await startService(
          'worker',
          'worker',
          {
            ...env,
            DATABASE_URL: withName(db.url, 'bench-worker'),
            WORKER_CONCURRENCY: String(concurrency),
            ...run.workerEnv,
          },
          'WORKER_PORT',
        ),
      );
    }
    const workerCpu = () => workers.reduce((sum, w) => sum + cpuMs(w.pid), 0);
    const cpuBefore = {
      worker: workerCpu(),
      ingress: cpuMs(ingress.pid),
      pgWorker: await backendCpu(db, ['bench-worker']),
      pgAll: await backendCpu(db, ['bench-worker', 'bench-ingress']),
    };
    const t0 = performance.now();
    const sent = await signedLoad({
      url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
      key: KEY,
      notificationUrl: NOTIFICATION_URL,
      connections: CONNECTIONS,
      amount: events(run),
      mix: run.mix,
    });
    const ackSeconds = (performance.now() - t0) / 1000;
    const accepted = sent.requests - sent.non2xx - sent.errors;
    while ((await db.settledCount()) < accepted) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = {
      worker: (workerCpu() - cpuBefore.worker) / accepted,
      ingress: (cpuMs(ingress.pid) - cpuBefore.ingress) / accepted,
      pgWorker: cpuDelta(cpuBefore.pgWorker, await backendCpu(db, ['bench-worker'])) / accepted,
      pgAll: cpuDelta(cpuBefore.pgAll, await backendCpu(db, ['bench-worker', 'bench-ingress'])) / accepted,
    };
    report.memory.ingress = Math.max(report.memory.ingress, ingress.peakRssMiB());
    for (const w of workers) report.memory.worker = Math.max(report.memory.worker, w.peakRssMiB());
    await Promise.all([ingress.stop(), ...workers.map((w) => w.stop())]);
    const eventsPerSecond = accepted / seconds;
    const ceiling = run.latencyMs === 0 ? undefined : (run.workers * concurrency) / (run.latencyMs / 1000);
    console.log(
      `end to end: ${accepted} events, ${run.workers} worker(s) × ${concurrency}, Square ${run.latencyMs} ms${run.variant ? `, ${run.variant}` : ''} → ${eventsPerSecond.toFixed(0)} events/s (acks done in ${ackSeconds.toFixed(1)} s, all processed in ${seconds.toFixed(1)} s); ` +
        `CPU per event: worker ${cpu.worker.toFixed(2)} ms, ingress ${cpu.ingress.toFixed(2)} ms, Postgres ${cpu.pgWorker.toFixed(2)} ms for the worker (${cpu.pgAll.toFixed(2)} ms with the ingress's)`,
    );
    report.endToEnd.push({
      squareLatencyMs: run.latencyMs,
      workers: run.workers,
      concurrency,
      variant: run.variant,
      events: accepted,
      seconds,
      eventsPerSecond,
      ackSeconds,
      ceiling,
      ingress: sent,
      cpu,
    });
    await db.truncate();
    await deleteQueuePrefix(prefix, REDIS_URL);
  }
  fake.latencyMs = 0;
}

import { createServer, type Server } from 'node:http';
import type { FakeSquareServer } from '@app/testing';
import { deleteQueuePrefix } from '../../test/support/redis.js';
import { destinationsFile, fastReceiver } from './forwarding.js';
import { backendCpu, cpuDelta, cpuMs, withName } from './end-to-end.js';
import { signedLoad } from './load.js';
import { startService } from './processes.js';
import type { Report } from './report.js';
import { KEY, NOTIFICATION_URL, REDIS_URL, baseEnv, queuePrefix, type BenchDatabase } from './stack.js';

const CONNECTIONS = 50;

/** A tracing backend that costs nothing: takes OTLP/HTTP JSON exports, counts their spans, keeps none. */
async function otlpSink(): Promise<{ endpoint: string; spans(): number; close(): Promise<void> }> {
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Counted without parsing: every span has exactly one "spanId" key in the JSON encoding.
      spans += Buffer.concat(chunks).toString('utf8').split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => spans,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const count = async (db: BenchDatabase, sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);

/**
 * 8. Tracing (docs/TRACING.md): N events through the whole pipeline, forwarded to one destination
 * answering 204 at once, timed until all are delivered, with tracing off and on (exporting every
 * span to a local OTLP/HTTP receiver), alternately, twice each; CPU per event of the worker, the
 * ingress and the Postgres backends serving them. BENCH_TRACING_RUNS=off,on picks the runs (default
 * off,on,off,on); BENCH_WORKER_CPU_PROF=<dir> profiles the worker of each (support/cpu-profile.mjs).
 */
export async function tracingRuns(
  db: BenchDatabase,
  fake: FakeSquareServer,
  events: number,
  report: Report,
): Promise<void> {
  fake.latencyMs = 0;
  const receiver = await fastReceiver();
  const sink = await otlpSink();
  report.tracing = [];
  const runs = (process.env.BENCH_TRACING_RUNS ?? 'off,on,off,on').split(',').map((r) => r.trim() === 'on');
  // A first run, not reported: the first run on a fresh database cost ~20 % more CPU per event,
  // tracing or not (2026-12-07), which made whichever came first look worse.
  const plan = [{ tracing: false, warmUp: true }, ...runs.map((tracing) => ({ tracing, warmUp: false }))];
  const profileDir = process.env.BENCH_WORKER_CPU_PROF;
  const profiled: Record<string, string> = profileDir
    ? {
        NODE_OPTIONS: `--max-old-space-size=128 --max-semi-space-size=8 --import ${process.cwd()}/bench/support/cpu-profile.mjs`,
        BENCH_CPU_PROF_DIR: profileDir,
      }
    : {};
  try {
    for (const { tracing, warmUp } of plan) {
      const prefix = queuePrefix();
      const env = {
        ...baseEnv(db.url, prefix),
        SQUARE_BASE_URL: fake.url,
        FORWARD_DESTINATIONS_FILE: destinationsFile([{ name: 'fast', url: receiver.url }]),
        ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint } : {}),
      };
      const ingress = await startService(
        'ingress',
        'ingress',
        { ...env, DATABASE_URL: withName(db.url, 'bench-ingress') },
        'INGRESS_PORT',
      );
      const worker = await startService(
        'worker',
        'worker',
        { ...env, DATABASE_URL: withName(db.url, 'bench-worker'), ...profiled },
        'WORKER_PORT',
      );
      const spansBefore = sink.spans();
      const names = ['bench-worker', 'bench-ingress'];
      const before = { worker: cpuMs(worker.pid), ingress: cpuMs(ingress.pid), pg: await backendCpu(db, names) };
      const t0 = performance.now();
      const sent = await signedLoad({
        url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
        key: KEY,
        notificationUrl: NOTIFICATION_URL,
        connections: CONNECTIONS,
        amount: warmUp ? Math.min(events, 1000) : events,
      });
      const accepted = sent.requests - sent.non2xx - sent.errors;
      while ((await count(db, "SELECT count(*) AS n FROM forward_deliveries WHERE status = 'delivered'")) < accepted)
        await new Promise((r) => setTimeout(r, 100));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = {
        worker: (cpuMs(worker.pid) - before.worker) / accepted,
        ingress: (cpuMs(ingress.pid) - before.ingress) / accepted,
        postgres: cpuDelta(before.pg, await backendCpu(db, names)) / accepted,
      };
      await Promise.all([ingress.stop(), worker.stop()]); // SIGTERM: the last spans are flushed
      const run = {
        tracing,
        events: accepted,
        seconds,
        eventsPerSecond: accepted / seconds,
        cpuMsPerEvent: cpu.worker + cpu.ingress,
        cpu,
        spansPerEvent: (sink.spans() - spansBefore) / accepted,
      };
      if (!warmUp) report.tracing.push(run);
      console.log(
        `${warmUp ? '(warm-up, not reported) ' : ''}` +
          `tracing ${tracing ? 'on ' : 'off'}: ${accepted} events delivered in ${seconds.toFixed(1)} s → ${run.eventsPerSecond.toFixed(0)} events/s; ` +
          `CPU per event: worker ${cpu.worker.toFixed(2)} ms, ingress ${cpu.ingress.toFixed(2)} ms, Postgres ${cpu.postgres.toFixed(2)} ms; ` +
          `${run.spansPerEvent.toFixed(1)} spans exported per event`,
      );
      await db.truncate();
      await deleteQueuePrefix(prefix, REDIS_URL);
    }
  } finally {
    await receiver.close();
    await sink.close();
  }
}

// npm run bench: every benchmark in one run on one machine, so the figures compare as ratios.
// Prints the figures and writes them to docs/BENCHMARKS.md (between the bench markers).
// BENCH_DURATION (s, default 20), BENCH_EVENTS (default 20000), BENCH_SLOW_EVENTS (default 3000): the
// benchmark's own knobs, read here; the apps it starts get their settings as environment variables.
import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { plainLoad, signedLoad, type LoadResult } from './support/load.js';
import { endToEnd, oneInsertHandler, type EndToEndRun } from './support/end-to-end.js';
import { destinationsFile, fastReceiver, forwardingRuns } from './support/forwarding.js';
import { recoveryRun } from './support/recovery.js';
import { partitionsRun } from './support/partitions.js';
import { redisMemoryRun } from './support/redis-memory.js';
import { scaleRun } from './support/scale.js';
import { tracingRuns } from './support/tracing.js';
import { steadySignedLoad } from './support/steady-load.js';
import { wrkAvailable, wrkLoad } from './support/wrk.js';
import { startService } from './support/processes.js';
import {
  KEY,
  NOTIFICATION_URL,
  REDIS_URL,
  baseEnv,
  freshDatabase,
  queuePrefix,
  type BenchDatabase,
} from './support/stack.js';
import { writeReport, type Report } from './support/report.js';
import { deleteQueuePrefix } from '../test/support/redis.js';
import { FakeSquareServer } from '@app/testing';

const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const SLOW_EVENTS = Number(process.env.BENCH_SLOW_EVENTS ?? 3000);
// BENCH_RECOVERED_EVENTS (default 5000): events only in Square's event log, for the recovery run.
const RECOVERED_EVENTS = Number(process.env.BENCH_RECOVERED_EVENTS ?? 5000);
// BENCH_SCALE_ROWS (default 1 000 000): inbox rows for the admin list and purge figures.
const SCALE_ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
// BENCH_PARTITION_ROWS (default 10 000 000): inbox rows over 12 months for the partitioned inbox's figures.
const PARTITION_ROWS = Number(process.env.BENCH_PARTITION_ROWS ?? 10_000_000);
// BENCH_TRACING_EVENTS (default 10000): events of each run of the tracing section; BENCH_TRACING_RUNS
// (default off,on,off,on) its runs, after a warm-up run (support/tracing.ts).
const TRACING_EVENTS = Number(process.env.BENCH_TRACING_EVENTS ?? 10_000);
// BENCH_REDIS_JOBS (default 200000): waiting jobs of each kind for the Redis memory figures.
const REDIS_JOBS = Number(process.env.BENCH_REDIS_JOBS ?? 200_000);
// BENCH_ONLY=throughput,ack,e2e,forward,recovery,scale,partitions,tracing,redis runs some sections and prints them without writing the doc.
const ONLY = process.env.BENCH_ONLY?.split(',');
const CONNECTIONS = 50;
// The heap settings the entrypoint gives our apps, for the other servers measured beside them.
const SAME_HEAP = '--max-old-space-size=128 --max-semi-space-size=8';
const ACK_RATE = 200;
const STEADY_RATE = 1000;
const WORKER_CONCURRENCY = 10;

// Started as the containers start them (scripts/docker-entrypoint.sh), memory settings included.
const INGRESS = 'ingress';
const WORKER = 'worker';

async function main(): Promise<void> {
  const report: Report = {
    machine: await machine(),
    generator: 'autocannon',
    throughput: [],
    ackVsSquare: [],
    endToEnd: [],
    memory: { ingress: 0, worker: 0 },
  };
  const db = await freshDatabase();
  const fake = new FakeSquareServer({ synthesize: true });
  await fake.listen();
  try {
    if (!ONLY || ONLY.includes('throughput')) await ingressThroughput(db, report);
    if (!ONLY || ONLY.includes('ack')) await ackVersusSquare(db, fake, report);
    if (!ONLY || ONLY.includes('e2e')) await endToEndRuns(db, fake, report);
    if (!ONLY || ONLY.includes('forward')) await forwardingRuns(db, fake, EVENTS, Math.ceil(DURATION / 2), report);
    if (!ONLY || ONLY.includes('recovery')) await recoveryRun(db, fake, RECOVERED_EVENTS, report);
    if (!ONLY || ONLY.includes('tracing')) await tracingRuns(db, fake, TRACING_EVENTS, report);
    if (!ONLY || ONLY.includes('scale')) await scaleRun(SCALE_ROWS, report);
    if (!ONLY || ONLY.includes('partitions')) await partitionsRun(PARTITION_ROWS, report);
    if (!ONLY || ONLY.includes('redis')) await redisMemoryRun(REDIS_JOBS, report);
  } finally {
    await fake.close();
    await db.drop();
  }
  console.log(`peak RSS: ingress ${report.memory.ingress} MiB, worker ${report.memory.worker} MiB`);
  if (!ONLY) writeReport(report);
}

/**
 * 1. Signed requests with distinct event ids: the ingress against a hand-written Express handler
 * (the baseline it must beat) and a bare NestJS hello-world (the ceiling), all with the same load
 * generator, connections and heap settings.
 */
async function ingressThroughput(db: BenchDatabase, report: Report): Promise<void> {
  const generator = wrkAvailable() ? 'wrk' : 'autocannon';
  report.generator = generator;
  const signing = { key: KEY, notificationUrl: NOTIFICATION_URL };
  const fastest = (url: string, signed: boolean) =>
    generator === 'wrk'
      ? Promise.resolve(wrkLoad(url, CONNECTIONS, DURATION, signed ? signing : undefined))
      : signed
        ? signedLoad({ url, ...signing, connections: CONNECTIONS, durationSeconds: DURATION })
        : plainLoad(url, CONNECTIONS, DURATION);

  const hello = await startService(
    'hello-world',
    'dist/bench/apps/hello-world.main.js',
    { NODE_OPTIONS: SAME_HEAP },
    'PORT',
  );
  const ceiling = await fastest(`http://127.0.0.1:${hello.port}/`, false);
  await hello.stop();
  print('hello-world ceiling', ceiling);

  const baselinePrefix = queuePrefix();
  const handWritten = await startService(
    'express-baseline',
    'dist/bench/apps/express-baseline.main.js',
    { ...baseEnv(db.url, baselinePrefix), NODE_OPTIONS: SAME_HEAP },
    'PORT',
  );
  const baseline = await fastest(`http://127.0.0.1:${handWritten.port}/webhooks/square`, true);
  await handWritten.stop();
  print('hand-written Express handler', baseline);
  await db.truncate();
  await deleteQueuePrefix(baselinePrefix, REDIS_URL);

  const prefix = queuePrefix();
  const ingress = await startService('ingress', INGRESS, baseEnv(db.url, prefix), 'INGRESS_PORT');
  const ours = await fastest(`http://127.0.0.1:${ingress.port}/webhooks/square`, true);
  print('ingress', ours);
  // Latency below saturation: a steady 1 000 deliveries/s, open loop.
  const steady = await steadySignedLoad({
    url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
    ...signing,
    ratePerSecond: STEADY_RATE,
    durationSeconds: DURATION,
  });
  print(`ingress at ${STEADY_RATE} req/s`, steady);
  report.memory.ingress = Math.max(report.memory.ingress, ingress.peakRssMiB());
  await ingress.stop();
  report.throughput.push(
    { name: 'hello-world (GET, NestJS on Express), as fast as possible', ...ceiling },
    {
      name: 'hand-written Express handler (signed POST, one INSERT and one BullMQ add per request), as fast as possible',
      ...baseline,
    },
    { name: 'ingress (signed POST, stored with its job in the outbox), as fast as possible', ...ours },
    { name: `ingress at a steady ${STEADY_RATE} req/s`, ...steady },
  );
  await db.truncate();
  await deleteQueuePrefix(prefix, REDIS_URL);
}

/**
 * 2. Ack latency with Square at 0 and 500 ms: ours (worker running) vs a synchronous handler, both
 * at the same steady, open-loop rate, so that latency is not just queueing in the load generator.
 */
async function ackVersusSquare(db: BenchDatabase, fake: FakeSquareServer, report: Report): Promise<void> {
  for (const latencyMs of [0, 500]) {
    fake.latencyMs = latencyMs;
    const prefix = queuePrefix();
    const env = { ...baseEnv(db.url, prefix), SQUARE_BASE_URL: fake.url };
    const ingress = await startService('ingress', INGRESS, env, 'INGRESS_PORT');
    const worker = await startService(
      'worker',
      WORKER,
      { ...env, WORKER_CONCURRENCY: String(WORKER_CONCURRENCY) },
      'WORKER_PORT',
    );
    const ours = await steadySignedLoad({
      url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
      key: KEY,
      notificationUrl: NOTIFICATION_URL,
      ratePerSecond: ACK_RATE,
      durationSeconds: Math.ceil(DURATION / 2),
    });
    await Promise.all([ingress.stop(), worker.stop()]);
    const sync = await startService(
      'sync-baseline',
      'dist/bench/apps/sync-baseline.main.js',
      { ...env, NODE_OPTIONS: SAME_HEAP },
      'PORT',
    );
    const baseline = await steadySignedLoad({
      url: `http://127.0.0.1:${sync.port}/webhooks/square`,
      key: KEY,
      notificationUrl: NOTIFICATION_URL,
      ratePerSecond: ACK_RATE,
      durationSeconds: Math.ceil(DURATION / 2),
    });
    await sync.stop();
    print(`ingress, Square ${latencyMs} ms`, ours);
    print(`sync baseline, Square ${latencyMs} ms`, baseline);
    report.ackVsSquare.push({ squareLatencyMs: latencyMs, ingress: ours, syncBaseline: baseline });
    await db.truncate();
    await deleteQueuePrefix(prefix, REDIS_URL);
  }
  fake.latencyMs = 0;
}

/** 3 and 4. N events sent, time until all are processed, with 1 and 2 workers (and a handler); peak memory. */
async function endToEndRuns(db: BenchDatabase, fake: FakeSquareServer, report: Report): Promise<void> {
  const handler = await oneInsertHandler(db);
  const receiver = await fastReceiver();
  // Issue 24's runs: one worker at concurrency 20 with Square answering at once (mirror only, a
  // handler, a destination), and Square at 100 ms with concurrency 50 and 100.
  const runs: EndToEndRun[] = [
    { latencyMs: 0, workers: 1, concurrency: 20 },
    {
      latencyMs: 0,
      workers: 1,
      concurrency: 20,
      variant: 'a handler doing one insert',
      env: { SQUARE_EVENT_HANDLERS: handler },
    },
    {
      latencyMs: 0,
      workers: 1,
      concurrency: 20,
      variant: 'one destination (answering 204 at once)',
      env: { FORWARD_DESTINATIONS_FILE: destinationsFile([{ name: 'fast', url: receiver.url }]) },
    },
    {
      latencyMs: 0,
      workers: 1,
      concurrency: 20,
      variant: 'a mix of orders, customers, invoices, payments, custom attributes',
      mix: 'mixed',
    },
    { latencyMs: 0, workers: 2, concurrency: 20 },
    { latencyMs: 100, workers: 1, concurrency: 50 },
    { latencyMs: 100, workers: 1, concurrency: 100 },
    { latencyMs: 100, workers: 2, concurrency: 50 },
  ];
  // BENCH_E2E_RUNS=0,1: only those runs (by index above). BENCH_WORKER_CPU_PROF=<dir>: the worker
  // is profiled (support/cpu-profile.mjs; node refuses --cpu-prof in NODE_OPTIONS), the profile
  // written in <dir> when it exits.
  const picked = process.env.BENCH_E2E_RUNS?.split(',').map(Number);
  const profileDir = process.env.BENCH_WORKER_CPU_PROF;
  const preload = `${process.cwd()}/bench/support/cpu-profile.mjs`;
  const profiled = profileDir
    ? { NODE_OPTIONS: `${SAME_HEAP} --import ${preload}`, BENCH_CPU_PROF_DIR: profileDir }
    : undefined;
  // BENCH_EVENT_BATCH_MAX=<n>: the workers' SQUARE_EVENT_BATCH_MAX (group commit; 1: one transaction per event).
  const batchMax = process.env.BENCH_EVENT_BATCH_MAX;
  const workerEnv = { ...profiled, ...(batchMax ? { SQUARE_EVENT_BATCH_MAX: batchMax } : {}) };
  try {
    await endToEnd(
      (picked ? runs.filter((_, i) => picked.includes(i)) : runs).map((r) => ({ ...r, workerEnv })),
      (run) => (run.latencyMs === 0 ? EVENTS : SLOW_EVENTS),
      db,
      fake,
      report,
    );
  } finally {
    await receiver.close();
  }
}

function print(label: string, r: LoadResult): void {
  console.log(
    `${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, errors ${r.errors}, non-2xx ${r.non2xx}`,
  );
}

async function machine(): Promise<Report['machine']> {
  const redis = new Redis(REDIS_URL);
  const info = await redis.info('server');
  redis.disconnect();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    date: new Date().toISOString().slice(0, 10),
    durationSeconds: DURATION,
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);

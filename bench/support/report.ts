import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { LoadResult } from './load.js';

export interface Report {
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    redis: string;
    date: string;
    durationSeconds: number;
  };
  /** What generated the as-fast-as-possible load: wrk when installed, else autocannon. */
  generator: 'wrk' | 'autocannon';
  throughput: Array<LoadResult & { name: string }>;
  ackVsSquare: Array<{ squareLatencyMs: number; ingress: LoadResult; syncBaseline: LoadResult }>;
  endToEnd: Array<{
    squareLatencyMs: number;
    workers: number;
    concurrency: number;
    variant?: string;
    events: number;
    seconds: number;
    eventsPerSecond: number;
    ackSeconds: number;
    ceiling?: number;
    ingress: LoadResult;
    /** CPU ms per event: the worker process(es), the ingress, the Postgres backends serving the worker, and those serving both. */
    cpu: { worker: number; ingress: number; pgWorker: number; pgAll: number };
  }>;
  memory: { ingress: number; worker: number };
  recovery?: { events: number; seconds: number };
  /** Bytes of Redis memory per waiting job of each kind (bench/support/redis-memory.ts). */
  redisMemory?: { jobs: number; eventJobBytes: number; forwardJobBytes: number };
  tracing?: Array<{
    tracing: boolean;
    events: number;
    seconds: number;
    eventsPerSecond: number;
    cpuMsPerEvent: number;
    /** CPU ms per event of the worker, the ingress, and the Postgres backends serving both. */
    cpu?: { worker: number; ingress: number; postgres: number };
    spansPerEvent: number;
  }>;
  scale?: {
    rows: number;
    list: Array<{ query: string; ms: number; events: number }>;
    pages: Array<{ page: string; ms: number }>;
    purged: number;
    purgeSeconds: number;
  };
  partitions?: {
    rows: number;
    events: number;
    results: Array<{ shape: string; fillSeconds: number; capture: number; dedupUs: number }>;
    retention: { partition: string; rows: number; ms: number };
    list: Array<{ query: string; ms: number; events: number }>;
    /** webhook_event_ids with its index, per event. */
    idsBytesPerEvent: number;
  };
  forwarding?: {
    events: number;
    processedSeconds: number;
    deliveredSeconds: number;
    eventsPerSecond: number;
    deliveriesPerSecond: number;
    isolation: Array<{
      beside: string;
      deliveries: number;
      p50: number;
      p99: number;
      max: number;
      deadAttempts: number;
    }>;
  };
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';
const FILE = 'docs/BENCHMARKS.md';

const ok = (pass: boolean) => (pass ? 'met' : '**missed**');
const ms = (n: number) => `${n} ms`;

/** The figures as Markdown, between the markers of docs/BENCHMARKS.md (the prose around stays). */
export function writeReport(report: Report): void {
  const block = [START, render(report), END].join('\n');
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const next = current.includes(START)
    ? current.slice(0, current.indexOf(START)) + block + current.slice(current.indexOf(END) + END.length)
    : `${current}\n${block}\n`;
  writeFileSync(FILE, next);
  console.log(`\nwritten to ${FILE}`);
}

function render(r: Report): string {
  const m = r.machine;
  const [ceiling, baseline, ours, steady] = r.throughput;
  const ofCeiling = ceiling && ours ? ours.rps / ceiling.rps : 0;
  const ofBaseline = baseline && ours ? ours.rps / baseline.rps : 0;
  const lines: string[] = [];
  lines.push(
    `Run on ${m.date}: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, Redis ${m.redis}, Postgres on the same machine; ` +
      `as-fast-as-possible load from ${r.generator === 'wrk' ? 'wrk (1 thread)' : 'autocannon'} and steady load from the benchmark's own open-loop generator, ` +
      `on the same machine (they compete for the same ${m.cores} cores). Load runs last ${m.durationSeconds} s. Command: \`npm run bench\`.`,
  );
  lines.push(
    '',
    '### 1. Ingress throughput and ack latency (as fast as possible over 50 connections; and a steady 1 000/s)',
    '',
  );
  lines.push('| Route | req/s | p50 | p99 | max | errors | non-2xx |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const t of r.throughput)
    lines.push(
      `| ${t.name} | ${t.rps.toFixed(0)} | ${ms(t.p50)} | ${ms(t.p99)} | ${ms(t.max)} | ${t.errors} | ${t.non2xx} |`,
    );
  lines.push(
    '',
    `Ingress at **${ofBaseline.toFixed(2)}×** the hand-written handler (target ≥ 1.5×: ${ok(ofBaseline >= 1.5)}) and ` +
      `**${(ofCeiling * 100).toFixed(0)} %** of the hello-world ceiling (target ≥ 50 %: ${ok(ofCeiling >= 0.5)}); ` +
      `p99 at 50 connections ${ours?.p99} ms against the hand-written handler's ${baseline?.p99} ms (no worse: ${ok((ours?.p99 ?? Infinity) <= (baseline?.p99 ?? 0))}); ` +
      `at a steady ${steady?.rps.toFixed(0)} req/s p99 ${steady?.p99} ms (target < 20 ms: ${ok((steady?.p99 ?? Infinity) < 20)}).`,
  );

  lines.push('', '### 2. Ack latency does not depend on Square (a steady 200 deliveries/s, worker running)', '');
  lines.push(
    '| Square latency | ingress p50 | ingress p99 | ingress req/s | sync baseline p50 | sync baseline p99 | sync req/s |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const a of r.ackVsSquare) {
    lines.push(
      `| ${a.squareLatencyMs} ms | ${ms(a.ingress.p50)} | ${ms(a.ingress.p99)} | ${a.ingress.rps.toFixed(0)} | ${ms(a.syncBaseline.p50)} | ${ms(a.syncBaseline.p99)} | ${a.syncBaseline.rps.toFixed(0)} |`,
    );
  }
  const [fast, slow] = r.ackVsSquare;
  if (fast && slow) {
    lines.push(
      '',
      `Ingress p99 ${fast.ingress.p99} ms → ${slow.ingress.p99} ms when Square slows from 0 to 500 ms ` +
        `(the same: ${ok(slow.ingress.p99 <= Math.max(fast.ingress.p99 * 1.5, fast.ingress.p99 + 5))}); the synchronous handler's p99 goes ` +
        `${fast.syncBaseline.p99} ms → ${slow.syncBaseline.p99} ms, and it completes ${slow.syncBaseline.rps.toFixed(0)} req/s of the 200 offered.`,
    );
  }

  lines.push('', '### 3. End to end: request → `processed`', '');
  lines.push(
    'CPU per event: of the worker process(es) and of the Postgres backends serving them (their utime + stime in /proc, over the run, ' +
      "divided by the events); in brackets, with the ingress's share (its process, its backends). Targets: worker ≤ 0.8 ms, Postgres ≤ 0.7 ms.",
    '',
  );
  lines.push(
    '| Square latency | workers × concurrency | run | events | acks done | all processed | events/s | target | worker CPU/event | Postgres CPU/event |',
    '|---:|---:|---|---:|---:|---:|---:|---|---:|---:|',
  );
  for (const e of r.endToEnd) {
    const plain = r.endToEnd.find(
      (p) =>
        !p.variant &&
        p.squareLatencyMs === e.squareLatencyMs &&
        p.workers === e.workers &&
        p.concurrency === e.concurrency,
    );
    const ofPlain = plain ? `${((100 * e.eventsPerSecond) / plain.eventsPerSecond).toFixed(0)} %` : '';
    const share = e.variant?.includes('destination') ? 0.85 : 0.9;
    const target = e.variant?.startsWith('a mix')
      ? `${ofPlain} of payments only`
      : e.variant && plain
        ? `≥ ${100 * share} % of the run without: ${ofPlain}, ${ok(e.eventsPerSecond >= share * plain.eventsPerSecond)}`
        : e.ceiling === undefined
          ? `≥ 1000: ${ok(e.eventsPerSecond >= 1000)}`
          : `≥ 90 % of ${e.ceiling.toFixed(0)} = ${(0.9 * e.ceiling).toFixed(0)}: ${ok(e.eventsPerSecond >= 0.9 * e.ceiling)}`;
    const c = e.cpu;
    lines.push(
      `| ${e.squareLatencyMs} ms | ${e.workers} × ${e.concurrency} | ${e.variant ?? 'payments, mirror only'} | ${e.events} | ${e.ackSeconds.toFixed(1)} s | ${e.seconds.toFixed(1)} s | ${e.eventsPerSecond.toFixed(0)} | ${target} | ` +
        `${c.worker.toFixed(2)} ms (${(c.worker + c.ingress).toFixed(2)}) | ${c.pgWorker.toFixed(2)} ms (${c.pgAll.toFixed(2)}) |`,
    );
  }
  // The sizing page's figures (docs/SCALING.md): what one core of each can serve, from the CPU per event.
  const sizing = r.endToEnd.find((e) => !e.variant && e.squareLatencyMs === 0 && e.workers === 1);
  if (sizing) {
    const perCore = (ms: number) => (1000 / ms).toFixed(0);
    lines.push(
      '',
      `Sizing (payments, mirror only, 1 worker): a worker process, which uses one core, applies at most ~${perCore(sizing.cpu.worker)} events/s ` +
        `(1 000 ms / its ${sizing.cpu.worker.toFixed(2)} ms of CPU per event); a Postgres core serves ~${perCore(sizing.cpu.pgAll)} events/s ` +
        `captured and applied (${sizing.cpu.pgAll.toFixed(2)} ms per event, the ingress's backends included), ~${perCore(sizing.cpu.pgWorker)} applied only.`,
    );
  }

  lines.push('', '### 4. Memory (peak RSS under the loads above)', '');
  lines.push('| Process | peak RSS | target |', '|---|---:|---|');
  lines.push(`| ingress | ${r.memory.ingress} MiB | < 150 MB: ${ok(r.memory.ingress * 1.048576 < 150)} |`);
  lines.push(`| worker | ${r.memory.worker} MiB | < 200 MB: ${ok(r.memory.worker * 1.048576 < 200)} |`);
  const f = r.forwarding;
  if (f) {
    const plain = r.endToEnd.find((p) => !p.variant && p.squareLatencyMs === 0 && p.workers === 1);
    lines.push(
      '',
      '### 5. Forwarding to a destination (1 worker, Square at 0 ms, the destination answering 204 at once)',
      '',
    );
    lines.push(
      '| Run | events | all processed | all delivered | events/s | deliveries/s |',
      '|---|---:|---:|---:|---:|---:|',
    );
    if (plain)
      lines.push(
        `| no destination (section 3) | ${plain.events} | ${plain.seconds.toFixed(1)} s | — | ${plain.eventsPerSecond.toFixed(0)} | — |`,
      );
    lines.push(
      `| one destination | ${f.events} | ${f.processedSeconds.toFixed(1)} s | ${f.deliveredSeconds.toFixed(1)} s | ${f.eventsPerSecond.toFixed(0)} | ${f.deliveriesPerSecond.toFixed(0)} |`,
    );
    if (plain)
      lines.push(
        '',
        `With one destination, events are processed at ${((100 * f.eventsPerSecond) / plain.eventsPerSecond).toFixed(0)} % of the rate without.`,
      );
    lines.push(
      '',
      "A healthy destination's delivery latency (event applied → delivered), under a steady 200 events/s:",
      '',
    );
    lines.push(
      '| Beside it | deliveries | p50 | p99 | max | attempts at the dead one |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const i of f.isolation)
      lines.push(
        `| ${i.beside} | ${i.deliveries} | ${ms(i.p50)} | ${ms(i.p99)} | ${ms(i.max)} | ${i.beside === 'nothing' ? '—' : i.deadAttempts} |`,
      );
  }
  if (r.recovery) {
    lines.push('', '### 6. Recovery from the Events API (1 worker; Square at 0 ms)', '');
    lines.push(
      `${r.recovery.events} events in Square's event log that were never delivered: found by the reconciler's first run and all processed ` +
        `**${r.recovery.seconds.toFixed(1)} s** after the worker started (${(r.recovery.events / r.recovery.seconds).toFixed(0)} events/s, worker start included).`,
    );
  }
  if (r.scale) {
    lines.push('', `### 7. The inbox at ${r.scale.rows.toLocaleString('en')} rows`, '');
    lines.push('`GET /admin/api/events?…` over HTTP (a page of 50, median of 5 calls):', '');
    lines.push('| Query | time | events |', '|---|---:|---:|');
    for (const l of r.scale.list) lines.push(`| \`${l.query}\` | ${l.ms} ms | ${l.events} |`);
    lines.push('', "The console's pages over HTTP (HTML, median of 5 calls):", '', '| Page | time |', '|---|---:|');
    for (const p of r.scale.pages) lines.push(`| \`${p.page}\` | ${p.ms} ms |`);
    lines.push(
      '',
      `Purge (\`npm run events -- purge --older-than 1d\`): ${r.scale.purged.toLocaleString('en')} bodies in ${r.scale.purgeSeconds.toFixed(1)} s, ` +
        `**${(r.scale.purged / r.scale.purgeSeconds).toFixed(0)} rows/s**, in batches of 1 000 with a pause between them.`,
    );
  }
  if (r.tracing?.length) {
    lines.push(
      '',
      '### 8. Tracing (1 worker, Square at 0 ms, one destination answering 204; until all are delivered)',
      '',
    );
    lines.push(
      '| Tracing | events | events/s | CPU per event: worker | ingress | Postgres | spans exported per event |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const t of r.tracing)
      lines.push(
        `| ${t.tracing ? 'on, exporting' : 'off'} | ${t.events} | ${t.eventsPerSecond.toFixed(0)} | ${t.cpu?.worker.toFixed(2) ?? '–'} ms | ${t.cpu?.ingress.toFixed(2) ?? '–'} ms | ${t.cpu?.postgres.toFixed(2) ?? '–'} ms | ${t.spansPerEvent.toFixed(1)} |`,
      );
    const mean = (on: boolean) =>
      r.tracing!.filter((t) => t.tracing === on).reduce((sum, t, _, all) => sum + t.eventsPerSecond / all.length, 0);
    lines.push(
      '',
      `With tracing on and exporting, events are delivered at ${((100 * mean(true)) / mean(false)).toFixed(0)} % of the rate with it off (mean of the runs).`,
    );
  }
  if (r.redisMemory) {
    const { jobs, eventJobBytes, forwardJobBytes } = r.redisMemory;
    const perMillion = (bytes: number) => `${((bytes * 1_000_000) / 2 ** 20).toFixed(0)} MiB`;
    lines.push('', '### 9. Redis memory per queued job (a private redis-server; waiting jobs)', '');
    lines.push('| Job | bytes each | per million |', '|---|---:|---:|');
    lines.push(`| \`process-event\` (square-events) | ${eventJobBytes} | ${perMillion(eventJobBytes)} |`);
    lines.push(`| \`deliver\` (forward-<destination>) | ${forwardJobBytes} | ${perMillion(forwardJobBytes)} |`);
    lines.push('', `From ${jobs.toLocaleString('en')} jobs of each kind, added as the relay adds them.`);
  }
  if (r.partitions) {
    const p = r.partitions;
    lines.push('', `### 10. The partitioned inbox at ${p.rows.toLocaleString('en')} rows over 12 months`, '');
    lines.push(
      `Capture: ${p.events.toLocaleString('en')} new events in batches of 200, two in flight (the ingress's batching); a duplicate: batches of 200 redeliveries of ids spread over the year.`,
      '',
      '| Inbox | capture | a duplicate, per event |',
      '|---|---:|---:|',
    );
    for (const x of p.results)
      lines.push(`| ${x.shape} | ${x.capture.toFixed(0)} events/s | ${x.dedupUs.toFixed(0)} µs |`);
    lines.push(
      '',
      `A month's retention: \`${p.retention.partition}\` (${p.retention.rows.toLocaleString('en')} rows) dropped in **${p.retention.ms.toFixed(0)} ms**. ` +
        `The ids kept forever (\`webhook_event_ids\` with its index): ${p.idsBytesPerEvent.toFixed(0)} bytes an event.`,
      '',
      '`GET /admin/api/events?…` on the partitioned inbox (a page of 50, median of 5 calls):',
      '',
      '| Query | time | events |',
      '|---|---:|---:|',
    );
    for (const l of p.list) lines.push(`| \`${l.query}\` | ${l.ms} ms | ${l.events} |`);
  }
  return lines.join('\n');
}

import { checkInvariants, type Counts } from './invariants.js';
import { KEY, NOTIFICATION_URL, Pipeline, type PipelineOptions } from './pipeline.js';
import { recordScenario, table } from './reliability-report.js';
import { SquareSender } from './square-sender.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScenarioResult {
  violations: string[];
  counts: Counts;
}

export interface ScenarioContext {
  p: Pipeline;
  sender: SquareSender;
  /** Lines added under the scenario's table in docs/RELIABILITY.md. */
  notes: string[];
  /** Marks when the fault hit; recovery is timed from the last mark. */
  faultInjected(): void;
  /** Optional extra rows for the report. */
  rows: Array<[string, string | number]>;
}

/**
 * Runs one fault scenario under steady, Square-like load and checks the invariant at the end:
 * start the pipeline, run `script` (which injects the fault while the sender keeps sending), let
 * every event be acked (the sender retries non-2xx like Square), wait until every acked event has
 * settled, then check. The outcome goes to docs/RELIABILITY.md.
 */
export async function runScenario(
  id: string,
  title: string,
  options: PipelineOptions & { ratePerSecond: number; events?: number },
  script: (ctx: ScenarioContext) => Promise<void>,
): Promise<ScenarioResult> {
  const p = await Pipeline.start(options);
  const sender = new SquareSender(p.ingressUrl, KEY, NOTIFICATION_URL, p.fake);
  let faultAt = Date.now();
  const ctx: ScenarioContext = { p, sender, notes: [], rows: [], faultInjected: () => (faultAt = Date.now()) };
  const started = Date.now();
  try {
    sender.start(options.ratePerSecond, options.events);
    await script(ctx);
    await sender.drain(60_000);
    await p.settle(sender.ackedIds(), 90_000);
    const recoveredMs = Date.now() - faultAt;
    const { violations, counts } = await checkInvariants(p, sender);
    const s = sender.stats;
    const rejected =
      Object.entries(s.rejected)
        .map(([status, n]) => `${n}× ${status}`)
        .join(', ') || 'none';
    const slowest = Object.entries(s.slowestMs)
      .map(([status, ms]) => `${status}: ${ms} ms`)
      .join(', ');
    recordScenario(
      id,
      [
        `### ${title}`,
        '',
        table([
          ['events sent (distinct)', s.events],
          ['requests (retries and duplicates included)', s.requests],
          ['acked (2xx)', s.acked],
          ['non-2xx answers to signed deliveries (retried by the sender)', rejected],
          ['slowest answer by status', slowest],
          ['processed', counts.processed],
          ['dead-lettered', counts.deadLettered],
          ['duplicate deliveries absorbed (delivery_count − 1)', counts.duplicatesAbsorbed],
          ['effects (claims) / processed events', `${counts.claims} / ${counts.processed}`],
          ['payments checked against the newest version served', counts.paymentsChecked],
          ['unsigned requests sent / stored', `${s.unsignedSent} / 0`],
          ['time from the fault to every acked event settled', `${(recoveredMs / 1000).toFixed(1)} s`],
          ['scenario duration', `${((Date.now() - started) / 1000).toFixed(1)} s`],
          ...ctx.rows,
          ['invariant', violations.length === 0 ? 'holds' : `**violated**: ${violations.slice(0, 5).join('; ')}`],
        ]),
        ...(ctx.notes.length > 0 ? ['', ...ctx.notes] : []),
      ].join('\n'),
    );
    return { violations, counts };
  } finally {
    sender.stop();
    await p.close();
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { SAMPLE_PAYMENTS } from '@app/testing';
import { paymentEventBody, signedHeaders } from '../support/signing.js';
import { KEY, NOTIFICATION_URL, Pipeline } from './support/pipeline.js';
import { sleep } from './support/scenario.js';

// SIGKILL of a worker while a transaction holding several events is open (group commit): the
// batch's events wait, after their own statements, on an advisory lock the test holds, so the kill
// lands inside that transaction every time. After a new worker takes the jobs over, every event
// is applied exactly once: one claim, one mirror row, one row of the team's handler, one applied
// attempt.
const HOLD = 4244; // the first two batches (one lane each) wait on it while the next events queue up
const GATE = 4243; // the third batch, with those events, waits on it at its last event

const HANDLER = `
export default [{
  name: 'fault-recorder',
  eventTypes: ['payment.*'],
  async handle({ event, sql, attempt }) {
    await sql('INSERT INTO fault_handled (event_id, attempt) VALUES ($1, $2)', [event.id, attempt]);
    if (event.id.startsWith('hold-')) await sql('SELECT pg_advisory_xact_lock_shared(${HOLD})');
    if (event.id.startsWith('gate-')) await sql('SELECT pg_advisory_xact_lock_shared(${GATE})');
  },
}];`;

describe('fault injection: group commit', () => {
  let p: Pipeline;
  let holder: pg.PoolClient;

  beforeAll(async () => {
    const handlerFile = join(mkdtempSync(join(tmpdir(), 'fault-handlers-')), 'fault-recorder.mjs');
    writeFileSync(handlerFile, HANDLER);
    p = await Pipeline.start({
      workers: 1,
      env: {
        SQUARE_EVENT_HANDLERS: handlerFile,
        SQUARE_EVENT_BATCH_MAX: '16',
        WORKER_CONCURRENCY: '20',
        SQUARE_EVENT_HANDLER_TIMEOUT_MS: '60000',
        // The lanes never count as slow: the held batches keep the others queued, to go together.
        SQUARE_EVENT_BATCH_SLOW_MS: '600000',
      },
    });
    await p.db.query('CREATE TABLE fault_handled (event_id text, attempt int)');
    holder = await p.db.connect();
  }, 180_000);

  afterAll(async () => {
    holder?.release();
    await p?.close();
  });

  const send = async (eventId: string) => {
    const paymentId = `pay-${eventId}`;
    p.fake.put('payment', { ...SAMPLE_PAYMENTS[0]!, id: paymentId });
    const body = paymentEventBody(eventId, paymentId);
    const res = await fetch(p.ingressUrl, {
      method: 'POST',
      body,
      headers: signedHeaders(body, KEY, NOTIFICATION_URL),
    });
    expect(res.status).toBe(200);
  };
  const waitingOn = async (lock: number) => {
    const { rows } = await p.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [lock],
    );
    return Number(rows[0]!.n);
  };
  const until = async (what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) => {
    const started = Date.now();
    while (!(await ok())) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  /** Whether the event's claim is held by a transaction still open (a claim of ours would wait on it). */
  const claimPending = async (eventId: string) => {
    await holder.query("BEGIN; SET LOCAL lock_timeout = '300ms'");
    try {
      await holder.query('INSERT INTO event_claims (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [eventId]);
      return false;
    } catch (err) {
      return (err as { code?: string }).code === '55P03';
    } finally {
      await holder.query('ROLLBACK');
    }
  };

  it('SIGKILL inside a multi-event transaction: after a new worker takes over, every event applied exactly once', async () => {
    await holder.query('SELECT pg_advisory_lock($1), pg_advisory_lock($2)', [HOLD, GATE]);
    await send('hold-1');
    await until('hold-1 to wait', async () => (await waitingOn(HOLD)) >= 1);
    await send('hold-2');
    await until('hold-2 to wait', async () => (await waitingOn(HOLD)) >= 2);
    const batched = Array.from({ length: 8 }, (_, i) => `batch-${i + 1}`);
    for (const id of batched) await send(id);
    await send('gate-1');
    await until('every Square call', async () => p.fake.requestCount() >= batched.length + 3);
    await sleep(500);
    // The two lanes free; the queued events go in one batch, which stops at gate-1, open.
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    await until('the batch to wait at gate-1', async () => (await waitingOn(GATE)) >= 1);
    let pending = 0;
    for (const id of batched) if (await claimPending(id)) pending++;
    expect(pending).toBeGreaterThanOrEqual(2); // several events in the transaction the kill lands in

    await p.killWorker(0);
    await holder.query('SELECT pg_advisory_unlock($1)', [GATE]);
    await p.addWorker();
    const all = ['hold-1', 'hold-2', ...batched, 'gate-1'];
    await p.settle(all, 120_000);

    const { rows: events } = await p.db.query<{ event_id: string; status: string; outcome: string }>(
      'SELECT event_id, status, outcome FROM webhook_events WHERE event_id = ANY($1) ORDER BY event_id',
      [all],
    );
    expect(events.every((e) => e.status === 'processed' && e.outcome === 'applied')).toBe(true);
    const once = async (sql: string) =>
      (await p.db.query<{ id: string; n: string }>(sql, [all])).rows.map((r) => [r.id, Number(r.n)]).sort();
    const expected = [...all].sort().map((id) => [id, 1]);
    expect(
      await once('SELECT event_id AS id, count(*) AS n FROM fault_handled WHERE event_id = ANY($1) GROUP BY 1'),
    ).toEqual(expected);
    expect(
      await once('SELECT event_id AS id, count(*) AS n FROM event_claims WHERE event_id = ANY($1) GROUP BY 1'),
    ).toEqual(expected);
    expect(
      await once(`SELECT last_event_id AS id, count(*) AS n FROM payments WHERE last_event_id = ANY($1) GROUP BY 1`),
    ).toEqual(expected);
    expect(
      await once(
        `SELECT event_id AS id, count(*) AS n FROM event_attempts WHERE event_id = ANY($1) AND outcome IN ('applied', 'duplicate', 'unchanged') GROUP BY 1`,
      ),
    ).toEqual(expected);
  }, 240_000);
});

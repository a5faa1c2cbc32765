import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import pg from 'pg';
import { JOBS, QUEUES } from '@app/queue';
import { FakeSquareServer } from '@app/testing';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
// The test holds HOLD while the first two batches (one `hold-` event each, one per lane) wait on
// it, so that the events sent next queue up; once it is let go, those two transactions take them.
const HOLD = 4242;

// The team's handler: a row per call (no unique key: a second application would show), with the
// id of the transaction it ran in (the top-level one, also from inside a savepoint). `fail-`
// writes its row, then fails its first attempt; `slow-` writes it, then outlives its time limit in
// a statement (cancelled): each one's row must go with its savepoint only.
const HANDLER = `
export default [{
  name: 'batch-recorder',
  eventTypes: ['payment.*'],
  async handle({ event, sql, attempt }) {
    if (event.id.startsWith('hold-')) await sql('SELECT pg_advisory_xact_lock_shared(${HOLD})');
    await sql('INSERT INTO handled (event_id, attempt, txid) VALUES ($1, $2, pg_current_xact_id()::text)', [event.id, attempt]);
    if (event.id.startsWith('fail-') && attempt === 1) throw new Error('the CRM is not answering');
    if (event.id.startsWith('slow-') && attempt === 1) await sql('SELECT pg_sleep(60)');
  },
}];`;

describe('group commit: events ready together share one transaction, each in its savepoint', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let holder: pg.Client;
  let queue: Queue;
  let handlerFile: string;

  beforeAll(async () => {
    db = await createTestDatabase('groupcommit');
    await db.query('CREATE TABLE handled (event_id text, attempt int, txid text)');
    prefix = uniqueName('q');
    handlerFile = join(mkdtempSync(join(tmpdir(), 'team-handlers-')), 'batch-recorder.mjs');
    writeFileSync(handlerFile, HANDLER);
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await startWorker({ SQUARE_EVENT_BATCH_SLOW_MS: '600000' });
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    queue = new Queue(QUEUES.squareEvents, { connection: { url: REDIS_URL }, prefix });
  });

  /** `extra`: SQUARE_EVENT_BATCH_SLOW_MS; the first case never lets the lanes count as slow, so that it can hold them. */
  const startWorker = (extra: Record<string, string>) =>
    spawnApp(
      'worker',
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        SQUARE_EVENT_HANDLERS: handlerFile,
        SQUARE_EVENT_BATCH_MAX: '16',
        WORKER_CONCURRENCY: '20',
        SQUARE_EVENT_HANDLER_TIMEOUT_MS: '15000',
        JOB_ATTEMPTS: '5',
        JOB_BACKOFF_MS: '50',
        LOG_LEVEL: 'warn',
        ...extra,
      },
      'WORKER_PORT',
    );

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await queue?.close();
    await holder?.end();
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (eventId: string) => {
    // A payment of its own (synthesized by the fake): each event's mirror write is 'written'.
    const body = paymentEventBody(eventId, `pay-${eventId}`);
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
  };
  const waiting = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${HOLD} AND NOT granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      )[0]!.n,
    );
  const waitingFor = (n: number) => eventually(async () => ((await waiting()) >= n ? true : undefined), 20_000);
  /** Waits until every one of `ids` is processed. */
  const processed = (ids: string[], timeoutMs: number, what: string) =>
    eventually(
      async () => {
        const rows = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM webhook_events WHERE event_id = ANY($1) AND status = 'processed'`,
          [ids],
        );
        return Number(rows[0]!.n) === ids.length ? true : undefined;
      },
      timeoutMs,
      what,
    );

  it('a failing and a timed-out event are rolled back alone and retried; the others commit in the transactions that took them; a duplicate job in a batch is duplicate', async () => {
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    // Two batches of one `hold-` event each, one per lane, both waiting on the lock.
    await send('hold-1');
    await waitingFor(1);
    await send('hold-2');
    await waitingFor(2);
    const together = ['ok-1', 'ok-2', 'ok-3', 'fail-1', 'ok-4', 'slow-1', 'dup-1'];
    for (const id of together) await send(id);
    // A second job of dup-1 (as a replay's or a second relay's would be), ready at the same time.
    await queue.add(JOBS.processEvent, { eventId: 'dup-1' }, { jobId: 'dup-1-again' });
    // Each has had its Square call and waits for a lane.
    await eventually(async () => (fake.requestCount() >= together.length + 3 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 500));
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);

    const all = ['hold-1', 'hold-2', ...together];
    await processed(all, 60_000, 'every event processed');
    const handled = await db.query<{ event_id: string; attempt: number; txid: string }>(
      'SELECT event_id, attempt, txid FROM handled ORDER BY event_id, attempt',
    );
    // Once each, the failed attempt's row rolled back with its savepoint only.
    expect(handled.map((h) => [h.event_id, h.attempt])).toEqual(
      [...all].sort().map((id) => [id, id === 'fail-1' || id === 'slow-1' ? 2 : 1]),
    );
    const txid = (id: string) => handled.find((h) => h.event_id === id)!.txid;
    // ok-* and dup-1 joined the two hold- transactions, one at a time, as those became ready for
    // them (each lane takes the waiting events as it goes): two transactions for all ten.
    const batched = together.filter((id) => id !== 'fail-1' && id !== 'slow-1').map(txid);
    expect(new Set([txid('hold-1'), txid('hold-2'), ...batched]).size).toBe(2);
    expect(txid('hold-1')).not.toBe(txid('hold-2'));
    const attempts = await db.query<{ event_id: string; outcome: string }>(
      'SELECT event_id, outcome FROM event_attempts WHERE event_id = ANY($1) ORDER BY event_id, attempt, outcome',
      [all],
    );
    const outcomes = (id: string) => attempts.filter((a) => a.event_id === id).map((a) => a.outcome);
    expect(outcomes('fail-1')).toEqual(['retry', 'applied']);
    expect(outcomes('slow-1')).toEqual(['retry', 'applied']);
    expect(outcomes('dup-1').sort()).toEqual(['applied', 'duplicate']);
    for (const id of ['ok-1', 'ok-2', 'ok-3', 'ok-4', 'hold-1']) expect(outcomes(id)).toEqual(['applied']);
    const events = await db.query<{ event_id: string; outcome: string; attempts: number }>(
      'SELECT event_id, outcome, attempts FROM webhook_events WHERE event_id = ANY($1)',
      [['fail-1', 'dup-1']],
    );
    expect(Object.fromEntries(events.map((e) => [e.event_id, [e.outcome, e.attempts]]))).toEqual({
      'fail-1': ['applied', 2],
      'dup-1': ['applied', 1],
    });
  }, 120_000);

  it('slow batches hold up nothing behind them: events waiting while both lanes are slow start batches of their own', async () => {
    await worker.stop('SIGTERM');
    worker = await startWorker({}); // SQUARE_EVENT_BATCH_SLOW_MS: the default, 100 ms
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    try {
      // Both lanes wait on the lock, far longer than 100 ms.
      await send('hold-3');
      await waitingFor(1);
      await send('hold-4');
      await waitingFor(2);
      const behind = ['after-1', 'after-2', 'after-3'];
      for (const id of behind) await send(id);
      await processed(behind, 20_000, 'the events behind the slow batches to be processed while those still wait');
      expect(await waiting()).toBe(2); // the hold- events still wait: the others went beside them
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    }
    await processed(['hold-3', 'hold-4'], 20_000, 'the held events to be processed once the lock is released');
  }, 120_000);
});

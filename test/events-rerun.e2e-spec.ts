import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer } from '@app/testing';
import { runNode } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const EVENTS_CLI = 'dist/apps/cli/src/events.main.js';
const N = 300;

// Writes one row per call and has no unique key: applying an event twice would show as two rows.
const HANDLER = `
export default {
  name: 'late-comer',
  eventTypes: ['payment.*'],
  async handle({ event, object, sql, attempt }) {
    if (process.env.RERUN_SLOW) await sql('SELECT pg_sleep(0.02)');
    await sql('INSERT INTO reran (event_id, status, attempt) VALUES ($1, $2, $3)', [event.id, object.status, attempt]);
  },
};`;

const REFETCHER = `
export default {
  name: 'refetcher',
  eventTypes: ['payment.updated'],
  async handle({ event, object, sql }) {
    await sql('INSERT INTO refetched (event_id, status) VALUES ($1, $2)', [event.id, object.status]);
  },
};`;

describe('events rerun: a new handler over past events, each at most once', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const args = ['rerun', '--handler', 'late-comer', '--since', '2026-01-01T00:00:00Z'];
  const rows = async () =>
    (
      await db.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM reran',
      )
    )[0]!;

  beforeAll(async () => {
    db = await createTestDatabase('rerun');
    const dir = mkdtempSync(join(tmpdir(), 'rerun-'));
    writeFileSync(join(dir, 'late-comer.mjs'), HANDLER);
    writeFileSync(join(dir, 'refetcher.mjs'), REFETCHER);
    env = {
      DATABASE_URL: db.url,
      SQUARE_EVENT_HANDLERS: `${join(dir, 'late-comer.mjs')},${join(dir, 'refetcher.mjs')}`,
    };
    await db.query('CREATE TABLE reran (event_id text, status text, attempt int)');
    await db.query('CREATE TABLE refetched (event_id text, status text)');
    // N processed payment events whose payments the mirror holds, one whose payment it does not,
    // one refund (not the handler's type), and one the live path applied with this handler already.
    await db.query(`
      INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, status, received_at)
      SELECT 'evt-' || i, 'payment.updated', 'M1', 'sha256', ''::bytea,
        jsonb_build_object('type', 'payment.updated', 'event_id', 'evt-' || i, 'merchant_id', 'M1', 'created_at', '2026-06-01T00:00:00Z',
          'data', jsonb_build_object('type', 'payment', 'id', 'pay-' || i, 'object', jsonb_build_object('payment', jsonb_build_object('id', 'pay-' || i, 'status', 'APPROVED')))),
        'processed', timestamptz '2026-06-01T00:00:00Z' + i * interval '1 second'
      FROM generate_series(1, ${N + 2}) AS i`);
    await db.query(
      `INSERT INTO payments (id, status, data, last_event_id) SELECT 'pay-' || i, 'COMPLETED', jsonb_build_object('id', 'pay-' || i, 'status', 'COMPLETED'), 'evt-' || i FROM generate_series(1, ${N}) AS i`,
    );
    await db.query(`UPDATE webhook_events SET event_type = 'refund.created' WHERE event_id = 'evt-${N + 2}'`);
    await db.query(`INSERT INTO handler_claims (handler, event_id) VALUES ('late-comer', 'evt-1')`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('--dry-run counts and applies nothing', async () => {
    const run = await runNode(EVENTS_CLI, [...args, '--dry-run'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(
      `late-comer: ${N + 1} processed event(s) in range, 1 applied by it already, ${N} to apply (--dry-run: nothing applied)`,
    );
    expect((await rows()).n).toBe(0);
  });

  it('a run killed half-way resumes: every event applied once, with the mirrored object', async () => {
    const child = spawn(process.execPath, [EVENTS_CLI, ...args], {
      env: { ...process.env, ENV_FILE: '/nonexistent', ...env, RERUN_SLOW: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await eventually(async () => ((await rows()).n >= 30 ? true : undefined), 60_000, 'the rerun to apply 30 events');
    child.kill('SIGKILL');
    await exited;
    const killedAt = (await rows()).n;
    expect(killedAt).toBeLessThan(N);

    const resumed = await runNode(EVENTS_CLI, args, env, 120_000);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    // The pipe is no terminal: plain progress lines, then the summary.
    expect(resumed.stdout).toContain(
      `${N - 1 - killedAt} applied, 0 skipped (applied meanwhile), 1 without a mirrored object`,
    );
    expect(await rows()).toEqual({ n: N - 1, distinct: N - 1 }); // evt-1 was live's, evt-N+1 has no mirrored payment
    expect(await db.query('SELECT DISTINCT status, attempt FROM reran')).toEqual([{ status: 'COMPLETED', attempt: 1 }]);
  });

  it('a second run applies nothing', async () => {
    const again = await runNode(EVENTS_CLI, args, env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${N + 1} processed event(s) in range, ${N} applied by it already, 1 to apply`);
    expect(again.stdout).toContain('done: 0 applied');
    expect((await rows()).n).toBe(N - 1);
  });

  it('names the handlers there are when the one asked for is not loaded', async () => {
    const run = await runNode(EVENTS_CLI, ['rerun', '--handler', 'nope', '--since', '2026-01-01T00:00:00Z'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('events: no handler "nope" in SQUARE_EVENT_HANDLERS (late-comer, refetcher)');
  });

  it('--refetch gives the handler the object as Square returns it now', async () => {
    const fake = new FakeSquareServer({ accessToken: 'app-token', synthesize: false });
    try {
      for (let i = 1; i <= 3; i++) fake.put('payment', { id: `pay-${i}`, status: 'REFETCHED', version: 9 });
      await fake.listen();
      const run = await runNode(
        EVENTS_CLI,
        [
          'rerun',
          '--handler',
          'refetcher',
          '--since',
          '2026-06-01T00:00:00Z',
          '--until',
          '2026-06-01T00:00:03.5Z',
          '--refetch',
        ],
        { ...env, SQUARE_ACCESS_TOKEN: 'app-token', SQUARE_BASE_URL: fake.url },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('done: 3 applied');
      expect(await db.query('SELECT event_id, status FROM refetched ORDER BY event_id')).toEqual(
        ['evt-1', 'evt-2', 'evt-3'].map((event_id) => ({ event_id, status: 'REFETCHED' })),
      );
    } finally {
      await fake.close();
    }
  });
});

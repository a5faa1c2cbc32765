import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { stopPipeline } from './support/pipeline.js';
import { REDIS_URL } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const MIGRATE = 'dist/apps/cli/src/migrate.main.js';
const WORKER = 'dist/apps/worker/src/main.js';

/** The example handler of the README's tour, exactly as written there (and in docs/HANDLERS.md). */
function readmeExample(file = 'README.md'): string {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('// team-handlers/mark-paid.mjs');
  if (start < 0) throw new Error(`${file} has no example handler (// team-handlers/mark-paid.mjs)`);
  return text.slice(start, text.indexOf('```', start));
}

describe("the team's handlers: their tables, their loading", () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase('handler_migrations');
    dir = mkdtempSync(join(tmpdir(), 'team-'));
    // The example's migration, and one named like one of ours: tracked apart, it cannot collide.
    cpSync('team-handlers/migrations', join(dir, 'migrations'), { recursive: true });
    mkdirSync(join(dir, 'migrations', '20261123000000_init'));
    writeFileSync(
      join(dir, 'migrations', '20261123000000_init', 'migration.sql'),
      'CREATE TABLE team_things (id int PRIMARY KEY);',
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('npm run db:migrate applies HANDLER_MIGRATIONS_DIR after ours, tracked apart; a second run applies nothing', async () => {
    const env = { DATABASE_URL: db.url, HANDLER_MIGRATIONS_DIR: join(dir, 'migrations') };
    const first = await runNode(MIGRATE, [], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 20261123000000_init\napplied 20261207000000_paid_orders\n');
    const second = await runNode(MIGRATE, [], env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('applied 2');
    expect(second.stdout).toContain('handler migrations (');
    expect(second.stdout).toMatch(/up to date \(2 applied\)/);
    expect(await db.query('SELECT migration_name FROM _handler_migrations ORDER BY migration_name')).toEqual([
      { migration_name: '20261123000000_init' },
      { migration_name: '20261207000000_paid_orders' },
    ]);
    expect(await db.query('SELECT count(*)::int AS n FROM team_things')).toEqual([{ n: 0 }]);
  });

  it('a handler file that fails to load stops the worker before anything starts: the file and the error, no stack trace', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('cannot reach the CRM at import');\n");
    const run = await runNode(WORKER, [], {
      DATABASE_URL: db.url,
      REDIS_URL,
      SQUARE_ACCESS_TOKEN: 't',
      SQUARE_EVENT_HANDLERS: broken,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`SQUARE_EVENT_HANDLERS: ${broken} throws on import: cannot reach the CRM at import`);
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  describe("the README's example handler, as written", () => {
    let fake: FakeSquareServer;
    let ingress: TestIngress;
    let worker: AppProcess;
    let prefix: string;
    let file: string;

    beforeAll(async () => {
      file = join(dir, 'mark-paid.mjs');
      writeFileSync(file, readmeExample());
      prefix = uniqueName('q');
      fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
      await fake.listen();
      ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
      worker = await spawnApp(
        'worker',
        {
          DATABASE_URL: db.url,
          REDIS_URL,
          QUEUE_PREFIX: prefix,
          SQUARE_ACCESS_TOKEN: 'test-token',
          SQUARE_BASE_URL: fake.url,
          SQUARE_EVENT_HANDLERS: file,
          LOG_LEVEL: 'log',
        },
        'WORKER_PORT',
      );
    });

    afterAll(() => stopPipeline({ worker, ingress, fake, prefix }));

    it('docs/HANDLERS.md shows the same example, character for character', () => {
      expect(readmeExample('docs/HANDLERS.md')).toBe(readmeExample());
    });

    it('the worker names it at start (name, types, file), and it records the paid order once, in the table its migration made', async () => {
      expect(worker.output()).toContain(`handler loaded: mark-paid (payment.created, payment.updated) from ${file}`);
      fake.put('payment', { ...SAMPLE_PAYMENTS[0]!, id: 'pay_readme', order_id: 'order-readme', status: 'COMPLETED' });
      for (const id of ['readme-1', 'readme-2']) {
        const body = paymentEventBody(id, 'pay_readme');
        expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(200);
      }
      const rows = await eventually(
        async () => {
          const r = await db.query(
            "SELECT order_id, payment_id, event_id FROM paid_orders WHERE order_id = 'order-readme'",
          );
          const done = await db.query(
            "SELECT 1 FROM webhook_events WHERE event_id LIKE 'readme-%' AND status = 'processed'",
          );
          return done.length === 2 ? r : undefined;
        },
        30_000,
        'both events to be processed',
      );
      // One row for the order, whichever of the two events the worker (concurrency 10) committed first.
      expect(rows).toEqual([
        { order_id: 'order-readme', payment_id: 'pay_readme', event_id: expect.stringMatching(/^readme-[12]$/) },
      ]);
    });
  });
});

import pg from 'pg';
import { REJECTED_KEPT, RejectedDeliveriesRepository } from '@app/database';
import { runNode } from './support/cli.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const KEY = 'whsk_test_rejections_key';
const URL = 'https://hooks.example.com/webhooks/square';
const SQUARE_CLI = 'dist/apps/cli/src/square.main.js';

/** The first output line that passes `test`, waiting for it (the log is written after the answer). */
async function logLine(app: AppProcess, test: (line: string) => boolean): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const line = app.output().split('\n').find(test);
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('signature failures explained where they happen', () => {
  let db: TestDatabase;
  let ingress: AppProcess;
  const env = () => ({
    DATABASE_URL: db.url,
    SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
    SQUARE_WEBHOOK_NOTIFICATION_URL: URL,
  });

  beforeAll(async () => {
    db = await createTestDatabase('rejections');
    ingress = await spawnApp('ingress', env(), 'INGRESS_PORT');
  });

  afterAll(async () => {
    await ingress?.stop('SIGKILL');
    await db?.drop();
  });

  it('a delivery signed for the URL with a trailing slash: the log line names the slash and the variable; verify --last explains it', async () => {
    const body = paymentEventBody('evt-trailing-slash');
    const headers = signedHeaders(body, KEY, `${URL}/`);
    const res = await fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, { method: 'POST', body, headers });
    expect(res.status).toBe(401);

    // Kept after the answer: wait for the row rather than for a time.
    for (let i = 0; i < 100 && (await db.query('SELECT 1 FROM rejected_deliveries')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const line = await logLine(ingress, (l) => l.includes('webhook rejected'));
    expect(line).toMatch(/with a trailing slash: https:\/\/hooks\.example\.com\/webhooks\/square\//);
    expect(line).toMatch(/set SQUARE_WEBHOOK_NOTIFICATION_URL to https:\/\/hooks\.example\.com\/webhooks\/square\//);
    // Never a key, never the signature.
    expect(ingress.output()).not.toContain(KEY);
    expect(ingress.output()).not.toContain(headers['x-square-hmacsha256-signature']!);

    const run = await runNode(SQUARE_CLI, ['verify', '--last'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the ingress said: it would match with the notification URL with a trailing slash');
    expect(run.stdout).toMatch(
      /It would match with:\n {2}- the notification URL with a trailing slash: https:\/\/hooks\.example\.com\/webhooks\/square\//,
    );
    expect(run.stdout).toContain('To fix: set SQUARE_WEBHOOK_NOTIFICATION_URL to');
  });

  it('a delivery signed with the development key: the log names the development key, never its value', async () => {
    const body = paymentEventBody('evt-dev-key');
    const res = await fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, {
      method: 'POST',
      body,
      headers: signedHeaders(body, 'whsk_local_development_key', URL),
    });
    expect(res.status).toBe(401);
    const line = await logLine(ingress, (l) => l.includes('webhook rejected') && l.includes('development key'));
    expect(line).toContain('add its key to SQUARE_WEBHOOK_SIGNATURE_KEYS');
    expect(line).not.toContain('whsk_local_development_key');
  });

  it(`keeps only the last ${REJECTED_KEPT}`, async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const repository = new RejectedDeliveriesRepository(pool);
      for (let i = 0; i < REJECTED_KEPT + 10; i++) {
        await repository.keep({
          notificationUrl: URL,
          signatureAlgorithm: 'sha256',
          signature: 'x',
          rawBody: Buffer.from(`{"n":${i}}`),
          diagnosis: `#${i}`,
          remoteAddress: null,
        });
      }
    } finally {
      await pool.end();
    }
    const rows = await db.query<{ diagnosis: string }>('SELECT diagnosis FROM rejected_deliveries ORDER BY id');
    expect(rows.length).toBe(REJECTED_KEPT);
    expect(rows.at(-1)!.diagnosis).toBe(`#${REJECTED_KEPT + 9}`);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { ADMIN_MAIN, basicAuthHeader, callApp } from './support/admin.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix, dumpQueuePrefix } from './support/redis.js';
import { freePort } from './support/servers.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const SECRET = `whsec_${Buffer.from('secrets'.padEnd(32, '.')).toString('base64')}`;
// What a destination URL may carry that must never be shown: credentials, and a token in its query.
const USER = 'forwarder';
const PASSWORD = 'url-pass-7f3a';
const QUERY_TOKEN = 'qs-token-91bd';

// A destination's URL is configuration, possibly with secrets in it: errors name the destination.
describe('forwarding: a destination URL never appears in an error, a log line, Redis or the API', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let admin: AppProcess;
  let closedPort: number;
  const failing = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('fwd_secrets');
    prefix = uniqueName('q');
    failing.answer = () => ({ status: 500 });
    await failing.listen();
    closedPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'forwarding-secrets-'));
    const withSecrets = (port: number) =>
      `http://${USER}:${PASSWORD}@127.0.0.1:${port}/hooks/square?token=${QUERY_TOKEN}`;
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:
  - name: refused
    url: ${withSecrets(closedPort)}
    secret: \${SECRET}
    eventTypes: ['*']
  - name: failing
    url: ${withSecrets(failing.port)}
    secret: \${SECRET}
    eventTypes: ['*']
`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT);
    await fake.listen();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SQUARE_ACCESS_TOKEN: 'test-token',
      SQUARE_BASE_URL: fake.url,
      SECRET,
      FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
      FORWARD_BACKOFF_MS: '100',
      FORWARD_MAX_BACKOFF_MS: '200',
      FORWARD_RETRY_FOR_MS: '1500',
      ADMIN_USERNAME: 'ops',
      ADMIN_PASSWORD: 'admin-password-for-tests',
    };
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    [worker, admin] = await Promise.all([
      spawnApp('worker', env, 'WORKER_PORT'),
      spawnApp(ADMIN_MAIN, env, 'ADMIN_PORT'),
    ]);
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await admin?.stop('SIGKILL');
    await ingress?.close();
    await failing.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  it('refused connections and 500s, retried to the dead letter: every stored, logged and shown error names the destination only', async () => {
    const body = paymentEventBody('secrets-1', String(PAYMENT.id));
    expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(200);
    const rows = await eventually(
      async () => {
        const r = await db.query<{ destination: string; status: string; last_error: string | null }>(
          "SELECT destination, status, last_error FROM forward_deliveries WHERE event_id = 'secrets-1' ORDER BY destination",
        );
        return r.length === 2 && r.every((d) => d.status === 'dead_lettered') ? r : undefined;
      },
      30_000,
      'both deliveries to be dead-lettered',
    );
    expect(rows).toEqual([
      { destination: 'failing', status: 'dead_lettered', last_error: 'destination failing answered 500' },
      { destination: 'refused', status: 'dead_lettered', last_error: 'cannot reach destination refused: ECONNREFUSED' },
    ]);

    const api = await callApp(admin, '/admin/api/deliveries?limit=50', {
      headers: { authorization: basicAuthHeader('ops', 'admin-password-for-tests') },
    });
    expect(api.status).toBe(200);
    expect(api.text).toContain('destination refused');
    const redis = await dumpQueuePrefix(prefix);
    expect(redis).toContain('destination failing answered 500');
    for (const [where, text] of [
      ['the worker log', worker.output()],
      ['the admin API', api.text],
      ['Redis', redis],
    ] as const) {
      for (const secret of [PASSWORD, QUERY_TOKEN, `:${closedPort}`, `:${failing.port}`]) {
        expect({ where, leaks: text.includes(secret) ? secret : null }).toEqual({ where, leaks: null });
      }
    }
  });
});

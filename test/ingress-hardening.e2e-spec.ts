import { connect } from 'node:net';
import { DEV_SIGNATURE_KEY } from '@app/config';
import { runNode } from './support/cli.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { freePort } from './support/servers.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const INGRESS = 'dist/apps/ingress/src/main.js';
const KEY = 'whsk_test_key';
const PUBLIC_URL = 'https://hooks.example.com/webhooks/square';
const ONE_MIB = 1024 * 1024;

/**
 * A POST whose headers promise `contentLength` body bytes, none of which is sent until `body()` is
 * called: `status` resolves with the answer's status, `closed` when the ingress closes the
 * connection; neither, while it waits for the body.
 */
function headersOnly(port: number, headers: Record<string, string>, contentLength = ONE_MIB) {
  const socket = connect(port, '127.0.0.1');
  const lines = Object.entries({
    host: 'hooks.example.com',
    'content-type': 'application/json',
    ...headers,
    'content-length': String(contentLength),
  });
  socket.write(`POST /webhooks/square HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  let answered = false;
  const status = new Promise<number>((resolve) =>
    socket.once('data', (d: Buffer) => {
      answered = true;
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(d.toString())?.[1] ?? 0));
    }),
  );
  socket.on('error', () => undefined);
  const closed = new Promise<true>((resolve) => socket.once('close', () => resolve(true)));
  return {
    status,
    closed,
    answered: () => answered,
    body: (bytes: Buffer) => socket.write(bytes),
    destroy: () => socket.destroy(),
  };
}

const withDeadline = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref()),
  ]);

describe('ingress hardening', () => {
  let db: TestDatabase;
  const apps: AppProcess[] = [];
  const env = (overrides: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
    SQUARE_WEBHOOK_NOTIFICATION_URL: PUBLIC_URL,
    // Long enough that a request waiting for its body would outlive every deadline below.
    INGRESS_REQUEST_TIMEOUT_MS: '120000',
    ...overrides,
  });
  const start = async (overrides: Record<string, string> = {}) => {
    const app = await spawnApp('ingress', env(overrides), 'INGRESS_PORT');
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    db = await createTestDatabase('hardening');
  });

  afterAll(async () => {
    for (const app of apps) await app.stop('SIGKILL');
    await db?.drop();
  });

  describe('the development key', () => {
    it('with a public notification URL: the ingress refuses to start, in one line naming SQUARE_WEBHOOK_SIGNATURE_KEYS, without a stack trace', async () => {
      for (const keys of [DEV_SIGNATURE_KEY, `whsk_real_key,${DEV_SIGNATURE_KEY}`]) {
        const run = await runNode(INGRESS, [], {
          ...env({ SQUARE_WEBHOOK_SIGNATURE_KEYS: keys }),
          INGRESS_PORT: String(await freePort()),
        });
        expect(run.code).toBe(1);
        const named = run.stderr.split('\n').filter((line) => line.includes('SQUARE_WEBHOOK_SIGNATURE_KEYS'));
        expect(named).toEqual([
          expect.stringMatching(
            /SQUARE_WEBHOOK_SIGNATURE_KEYS holds the development key .*on this machine.*not on hooks\.example\.com/,
          ),
        ]);
        expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
      }
    });

    it.each([
      'http://localhost:3000/webhooks/square',
      'http://127.0.0.1:3000/webhooks/square',
      'http://[::1]:3000/webhooks/square',
    ])('with a loopback notification URL (%s): accepted, as npm start runs it without a .env', async (url) => {
      const ingress = await start({
        SQUARE_WEBHOOK_SIGNATURE_KEYS: DEV_SIGNATURE_KEY,
        SQUARE_WEBHOOK_NOTIFICATION_URL: url,
      });
      const body = paymentEventBody(`dev-key-${ingress.port}`);
      const res = await fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, {
        method: 'POST',
        body,
        headers: signedHeaders(body, DEV_SIGNATURE_KEY, url),
      });
      expect(res.status).toBe(200);
      await ingress.stop('SIGTERM');
    });
  });

  describe('a request no key could match is refused before its body is read', () => {
    let ingress: AppProcess;
    let legacy: AppProcess;
    const sha256 = (bytes: number) => ({ 'x-square-hmacsha256-signature': Buffer.alloc(bytes, 1).toString('base64') });
    const sha1 = (bytes: number) => ({ 'x-square-signature': Buffer.alloc(bytes, 1).toString('base64') });

    beforeAll(async () => {
      [ingress, legacy] = await Promise.all([start(), start({ SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1: 'true' })]);
    });

    it.each([
      ['no signature header', () => ingress, {}],
      ['a SHA-256 header that decodes to 20 bytes', () => ingress, sha256(20)],
      [
        'a SHA-256 header that is not base64 of 32 bytes',
        () => ingress,
        { 'x-square-hmacsha256-signature': 'not-a-signature' },
      ],
      ['a legacy header while legacy signatures are off', () => ingress, sha1(20)],
      ['a legacy header that decodes to 32 bytes', () => legacy, sha1(32)],
      ['a wrong-length SHA-256 header beside a well-formed legacy one', () => legacy, { ...sha256(31), ...sha1(20) }],
    ] as const)(
      '%s: 401 at once with 1 MiB announced and none sent, and the connection closed',
      async (_, app, headers) => {
        const request = headersOnly(app().port, headers);
        expect(await withDeadline(request.status, 20_000, 'answer')).toBe(401);
        expect(await withDeadline(request.closed, 20_000, 'close of the connection')).toBe(true);
      },
    );

    it.each([
      ['a SHA-256 header of 32 bytes', () => ingress, sha256(32)],
      ['a legacy header of 20 bytes, when enabled', () => legacy, sha1(20)],
    ] as const)('%s: the body is read first (then 401, as no key matches)', async (_, app, headers) => {
      const body = paymentEventBody('well-formed');
      const request = headersOnly(app().port, headers, body.length);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(request.answered()).toBe(false); // still waiting for the body
      request.body(body);
      expect(await withDeadline(request.status, 20_000, 'answer')).toBe(401);
      request.destroy();
    });

    it('logs rejections at a bounded rate: at most 10 lines a minute, however many are refused', async () => {
      const port = (await start()).port;
      const flood = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`http://127.0.0.1:${port}/webhooks/square`, {
            method: 'POST',
            body: '{}',
            headers: { 'content-type': 'application/json' },
          }).then((r) => r.status),
        ),
      );
      expect(flood.every((status) => status === 401)).toBe(true);
      const app = apps.find((a) => a.port === port)!;
      const count = (text: string) =>
        app
          .output()
          .split('\n')
          .filter((line) => line.includes(text)).length;
      // A rejection is logged after its answer: wait for the lines to arrive, then for any more.
      for (
        let waited = 0;
        waited < 5000 && (count('webhook rejected') < 10 || count('"status":401') < 10);
        waited += 50
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(count('webhook rejected')).toBe(10);
      expect(count('"status":401')).toBe(10);
    });
  });
});

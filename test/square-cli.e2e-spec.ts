import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { computeSquareSignature, isValidSquareSignature } from '@app/square';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { deleteQueuePrefix } from './support/redis.js';
import { freePort } from './support/servers.js';
import { NOTIFICATION_URL } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig } from './support/worker.js';
import { FIXTURES_DIR, FakeSquareServer, SAMPLE_PAYMENTS, fixtureBody } from '@app/testing';

const CLI = resolve('dist/apps/cli/src/square.main.js');
const KEY = 'whsk_cli_test_key';
const PAYMENT_ID = String(SAMPLE_PAYMENTS[0]!.id);
const SAMPLE_EVENT_ID = '7d4e2a91-c3b8-4f05-8e6d-91a0b5c2f7e3';
// Unset, so that the machine's own settings cannot leak into the CLI's defaults.
const NO_SETTINGS = { SQUARE_WEBHOOK_SIGNATURE_KEYS: '', SQUARE_WEBHOOK_NOTIFICATION_URL: '', INIT_CWD: '' };

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// The built CLI against the real ingress, worker and Postgres: send → ingress → worker → row;
// verify on signatures made with the usual mistakes; replay → a receiver of our own.
describe('square CLI (npm run square)', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: INestApplication;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let receiverStatus = 200;
  const tmp = mkdtempSync(join(tmpdir(), 'square-cli-'));

  beforeAll(async () => {
    db = await createTestDatabase('square_cli');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token' });
    for (const p of SAMPLE_PAYMENTS) fake.put('payment', p);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY], allowLegacySha1: true }));
    worker = await startWorker(workerConfig(db.url, prefix, fake.url));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(receiverStatus, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await worker?.close();
    await ingress?.close();
    await fake?.close();
    await new Promise((r) => receiver?.close(r));
    await deleteQueuePrefix(prefix);
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const square = (args: string[], env: Record<string, string> = {}, cwd?: string) =>
    runNode(CLI, args, { ...NO_SETTINGS, DATABASE_URL: db.url, ...env }, 30_000, cwd);
  const toIngress = () => ['--to', `${ingress.url}/webhooks/square`];
  const eventRow = (eventId: string) =>
    db.query<Record<string, unknown>>('SELECT * FROM webhook_events WHERE event_id = $1', [eventId]).then((r) => r[0]);
  const processed = (eventId: string) =>
    eventually(
      async () => {
        const row = await eventRow(eventId);
        return row?.status === 'processed' ? row : undefined;
      },
      15_000,
      `event ${eventId} to be processed`,
    );
  const acceptedId = (stdout: string) => /"eventId":"([^"]+)"/.exec(stdout)?.[1];

  describe('send', () => {
    it('delivers a sample to the ingress, signed as Square signs it, and the worker applies it', async () => {
      const run = await square(['send', 'payment.updated', '--key', KEY, '--url', NOTIFICATION_URL, ...toIngress()]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`sample payment.updated: payment.updated ${SAMPLE_EVENT_ID}`);
      expect(run.stdout).toContain(
        `signed for ${NOTIFICATION_URL} with --key (HMAC-SHA256, x-square-hmacsha256-signature)`,
      );
      expect(run.stdout).toMatch(/^200 OK\n\{"status":"accepted","eventId":"7d4e2a91-/m);

      const row = await processed(SAMPLE_EVENT_ID);
      expect(row).toMatchObject({
        outcome: 'applied',
        signature_algorithm: 'sha256',
        square_environment: 'Sandbox',
        square_retry_number: 0,
      });
      expect((row.raw_body as Buffer).equals(fixtureBody('payment.updated.json'))).toBe(true);
      expect(row.square_initial_delivery_at).toBeInstanceOf(Date);
      const [payment] = await db.query('SELECT status, version, last_event_id FROM payments WHERE id = $1', [
        PAYMENT_ID,
      ]);
      expect(payment).toEqual({ status: 'COMPLETED', version: 3, last_event_id: SAMPLE_EVENT_ID });
    });

    it('sends the same sample again as a duplicate, and with --new-id as a new event', async () => {
      const again = await square(['send', 'payment.updated', '--key', KEY, '--url', NOTIFICATION_URL, ...toIngress()]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('"status":"duplicate"');

      const fresh = await square([
        'send',
        'payment.updated',
        '--new-id',
        '--key',
        KEY,
        '--url',
        NOTIFICATION_URL,
        ...toIngress(),
      ]);
      expect(fresh.code).toBe(0);
      const eventId = acceptedId(fresh.stdout)!;
      expect(fresh.stdout).toContain('"status":"accepted"');
      expect(eventId).not.toBe(SAMPLE_EVENT_ID);
      const row = await processed(eventId);
      const dataOf = (body: Buffer) => (JSON.parse(body.toString()) as { data: unknown }).data;
      expect(dataOf(row.raw_body as Buffer)).toEqual(dataOf(fixtureBody('payment.updated.json')));
    });

    it('takes its key and URL from SQUARE_WEBHOOK_SIGNATURE_KEYS (the first) and SQUARE_WEBHOOK_NOTIFICATION_URL', async () => {
      const env = {
        SQUARE_WEBHOOK_SIGNATURE_KEYS: `${KEY},whsk_old_key`,
        SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
      };
      const run = await square(['send', 'webhooks.test_notification', '--new-id', ...toIngress()], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('with SQUARE_WEBHOOK_SIGNATURE_KEYS #1');
      expect(await eventually(() => eventRow(acceptedId(run.stdout)!).then((r) => r?.status === 'ignored'))).toBe(true);
    });

    it('signs a legacy v1 notification with SHA-1 (--legacy)', async () => {
      const run = await square([
        'send',
        'v1.PAYMENT_UPDATED',
        '--legacy',
        '--key',
        KEY,
        '--url',
        NOTIFICATION_URL,
        ...toIngress(),
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('legacy HMAC-SHA1, x-square-signature');
      expect(await eventRow(acceptedId(run.stdout)!)).toMatchObject({
        signature_algorithm: 'sha1',
        event_type: 'PAYMENT_UPDATED',
      });
    });

    it('sends a file, relative to where npm run was started (INIT_CWD), from any working directory', async () => {
      writeFileSync(
        join(tmp, 'mine.json'),
        `${JSON.stringify({ ...JSON.parse(fixtureBody('payment.created.json').toString()), event_id: 'cli-file-1' }, null, 2)}\n`,
      );
      const run = await square(
        ['send', './mine.json', '--key', KEY, '--url', NOTIFICATION_URL, ...toIngress()],
        { INIT_CWD: tmp },
        tmpdir(),
      );
      expect(run.stdout).toContain(`${join(tmp, 'mine.json')}: payment.created cli-file-1`);
      expect(run.code).toBe(0);
      expect(((await eventRow('cli-file-1'))!.raw_body as Buffer).equals(readFileSync(join(tmp, 'mine.json')))).toBe(
        true,
      );
      // The samples are found from the built CLI itself, not from the working directory.
      const sample = await square(
        ['send', 'refund.updated', '--key', KEY, '--url', NOTIFICATION_URL, ...toIngress()],
        {},
        tmpdir(),
      );
      expect(sample.code).toBe(0);
    });

    it('exits 1 with one line on a refused signature, without a stack trace', async () => {
      const run = await square([
        'send',
        'payment.updated',
        '--key',
        'whsk_wrong',
        '--url',
        NOTIFICATION_URL,
        ...toIngress(),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('401 Unauthorized');
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^square: .* answered 401 Unauthorized \(the signature was refused/),
      ]);
    });

    it('exits 1 with one line when nothing listens, and 2 on a usage error', async () => {
      const port = await freePort();
      const run = await square(['send', 'payment.updated', '--to', `http://127.0.0.1:${port}/webhooks/square`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `square: cannot reach http://127.0.0.1:${port}/webhooks/square: connect ECONNREFUSED 127.0.0.1:${port}\n`,
      );
      const typo = await square(['send', 'payment.updatd']);
      expect(typo.code).toBe(1);
      expect(typo.stderr).toMatch(/^square: no sample and no file named "payment.updatd" \(samples: .*payment.updated/);
      expect(typo.stderr).not.toMatch(/\n\s+at /);
      expect((await square(['sned'])).code).toBe(2);
      expect(await square(['--help'])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('usage: npm run square'),
      });
      expect(await square([])).toMatchObject({ code: 0, stdout: expect.stringContaining('verify <body-file>') });
    });
  });

  describe('verify', () => {
    const bodyFile = join(FIXTURES_DIR, 'square', 'payment.updated.json');
    const signed = (url: string, key = KEY, algorithm: 'sha256' | 'sha1' = 'sha256') =>
      computeSquareSignature(algorithm, key, url, fixtureBody('payment.updated.json'));

    it('says valid, exit 0', async () => {
      const run = await square([
        'verify',
        bodyFile,
        '--url',
        NOTIFICATION_URL,
        '--key',
        KEY,
        '--signature',
        signed(NOTIFICATION_URL),
      ]);
      expect(run).toMatchObject({
        code: 0,
        stdout: `valid: HMAC-SHA256 over ${NOTIFICATION_URL} + the body (${fixtureBody('payment.updated.json').length} bytes), with --key\n`,
      });
    });

    it('finds the trailing slash, exit 1', async () => {
      const run = await square([
        'verify',
        bodyFile,
        '--url',
        NOTIFICATION_URL,
        '--key',
        KEY,
        '--signature',
        signed(`${NOTIFICATION_URL}/`),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`invalid: the signature is not HMAC-SHA256 over ${NOTIFICATION_URL}`);
      expect(run.stdout).toContain(
        `It would match with:\n  - the notification URL with a trailing slash: ${NOTIFICATION_URL}/\n`,
      );
    });

    it('finds another configured key (SQUARE_WEBHOOK_SIGNATURE_KEYS), never printing it', async () => {
      const run = await square(
        ['verify', bodyFile, '--key', 'whsk_a,whsk_b', '--signature', signed(NOTIFICATION_URL)],
        {
          SQUARE_WEBHOOK_SIGNATURE_KEYS: `whsk_new,${KEY}`,
          SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
        },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('with --key #1, --key #2');
      expect(run.stdout).toContain('  - signed with another key: SQUARE_WEBHOOK_SIGNATURE_KEYS #2\n');
      expect(run.stdout).not.toContain(KEY);
    });

    it('finds a pretty-printed body file, http vs https and a legacy signature', async () => {
      const pretty = join(tmp, 'pretty.json');
      writeFileSync(pretty, `${JSON.stringify(JSON.parse(fixtureBody('payment.updated.json').toString()), null, 2)}\n`);
      const http = NOTIFICATION_URL.replace('https:', 'http:');
      const run = await square([
        'verify',
        pretty,
        '--url',
        http,
        '--key',
        KEY,
        '--signature',
        signed(NOTIFICATION_URL, KEY, 'sha1'),
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout.split('\n').slice(1, 5)).toEqual([
        'It would match with:',
        `  - the notification URL with https instead of http: ${NOTIFICATION_URL}`,
        expect.stringMatching(/^ {2}- the body re-serialized compactly/),
        expect.stringMatching(/^ {2}- signed with HMAC-SHA1, the legacy x-square-signature/),
      ]);
    });
  });

  describe('replay', () => {
    it('re-sends a captured event byte for byte, signed for the target', async () => {
      const sent = await square([
        'send',
        'payment.created',
        '--new-id',
        '--key',
        KEY,
        '--url',
        NOTIFICATION_URL,
        ...toIngress(),
      ]);
      const eventId = acceptedId(sent.stdout)!;
      const stored = (await eventRow(eventId))!.raw_body as Buffer;

      received.length = 0;
      const to = `${receiverUrl}/dev/webhooks`;
      const run = await square(['replay', eventId, '--to', to, '--key', 'whsk_dev_server_key']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`captured event: payment.created ${eventId} (${stored.length} bytes)`);
      expect(run.stdout).toContain('200 OK\n{"received":true}');
      expect(received).toHaveLength(1);
      const [req] = received;
      expect(req!.url).toBe('/dev/webhooks');
      expect(req!.body.equals(stored)).toBe(true);
      expect(req!.headers).toMatchObject({
        'content-type': 'application/json',
        'square-environment': 'Sandbox',
        'square-retry-number': '0',
      });
      expect(
        isValidSquareSignature(
          'sha256',
          String(req!.headers['x-square-hmacsha256-signature']),
          ['whsk_dev_server_key'],
          to,
          req!.body,
        ),
      ).toBe(true);
    });

    it('signs for --url when it differs from --to, and exits 1 when the target fails', async () => {
      received.length = 0;
      receiverStatus = 500;
      try {
        const run = await square(
          ['replay', SAMPLE_EVENT_ID, '--to', `${receiverUrl}/x`, '--url', 'https://dev.example.test/hook'],
          {
            SQUARE_WEBHOOK_SIGNATURE_KEYS: 'whsk_env_key',
          },
        );
        expect(run.code).toBe(1);
        expect(run.stderr).toBe(`square: ${receiverUrl}/x answered 500 Internal Server Error\n`);
      } finally {
        receiverStatus = 200;
      }
      const [req] = received;
      expect(req!.body.equals(fixtureBody('payment.updated.json'))).toBe(true);
      const signature = String(req!.headers['x-square-hmacsha256-signature']);
      expect(
        isValidSquareSignature('sha256', signature, ['whsk_env_key'], 'https://dev.example.test/hook', req!.body),
      ).toBe(true);
    });

    it('names an unknown event id, exit 1', async () => {
      const run = await square(['replay', 'no-such-event', '--to', receiverUrl]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`square: no captured event "no-such-event" in database "${db.name}"\n`);
    });

    it('says when Postgres cannot be reached, without the password', async () => {
      const port = await freePort();
      const run = await square(['replay', 'x', '--to', receiverUrl], {
        DATABASE_URL: `postgresql://u:pw-secret@127.0.0.1:${port}/somedb`,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^square: cannot read the event from Postgres \(database "somedb"\): .*ECONNREFUSED/);
      expect(run.stderr).not.toContain('pw-secret');
    });
  });
});

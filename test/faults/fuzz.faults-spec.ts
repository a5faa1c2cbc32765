import { createHmac } from 'node:crypto';
import { Socket } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import { migrate } from '@app/database';
import { deleteQueuePrefix, REDIS_URL } from '../support/redis.js';
import { spawnApp, type AppProcess } from '../support/processes.js';
import { MIGRATIONS_DIR, adminQuery, databaseUrl, uniqueName } from '../support/test-database.js';
import { recordScenario, table } from './support/reliability-report.js';

const KEY = 'whsk_fuzz_key';
const URL_SIGNED = 'https://hooks.example.com/webhooks/square';
const ALLOWED = new Set([200, 400, 401, 404, 405, 413, 415]);
const likeSquare = (r: {
  method: string;
  path: string;
  contentType: string;
  contentEncoding: string | undefined;
  signature: string;
}) =>
  r.method === 'POST' &&
  r.path === '/webhooks/square' &&
  r.contentType.toLowerCase().startsWith('application/json') &&
  r.contentEncoding === undefined &&
  r.signature === 'valid';

type SignatureMode = 'none' | 'empty' | 'random' | 'valid' | 'other-url' | 'other-key' | 'sha1' | 'huge';

const sign = (algorithm: 'sha256' | 'sha1', key: string, url: string, body: Buffer) =>
  createHmac(algorithm, key).update(url).update(body).digest('base64');

// Random bodies, headers, sizes, encodings and methods against the real ingress process: no 5xx
// (Postgres and Redis are up), no crash, and nothing stored without a valid signature.
describe('fuzzing the ingress', () => {
  const dbName = uniqueName('fuzz');
  const prefix = uniqueName('q');
  let ingress: AppProcess;
  let db: pg.Pool;

  beforeAll(async () => {
    await migrate(databaseUrl(dbName), MIGRATIONS_DIR);
    db = new pg.Pool({ connectionString: databaseUrl(dbName), max: 2 });
    ingress = await spawnApp(
      'ingress',
      {
        DATABASE_URL: databaseUrl(dbName),
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
        SQUARE_WEBHOOK_NOTIFICATION_URL: URL_SIGNED,
        SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1: 'true',
        LOG_LEVEL: 'error',
      },
      'INGRESS_PORT',
    );
  });

  afterAll(async () => {
    await ingress?.stop('SIGKILL');
    await db?.end();
    await deleteQueuePrefix(prefix);
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  });

  it('answers every request with a 4xx or 200, never crashes, stores only validly signed bodies', async () => {
    const validlySigned = new Set<string>();
    const statuses: Record<number, number> = {};
    let closedBeforeBody = 0;
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.json().map((s) => Buffer.from(s)) },
      {
        weight: 3,
        arbitrary: fc
          .record({
            event_id: fc.oneof(fc.uuid(), fc.string(), fc.integer(), fc.constant('')),
            type: fc.oneof(fc.constantFrom('payment.updated', 'customer.created'), fc.string()),
            data: fc.jsonValue(),
          })
          .map((o) => Buffer.from(JSON.stringify(o))),
      },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 512 }).map((s) => Buffer.from(s)) },
      { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }).map((d) => Buffer.alloc(1024 * 1024 + d, 0x20)) },
    );
    const request = fc.record({
      body,
      // Mostly well-formed deliveries, so that bodies and signatures reach the guard and the parser.
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant('POST') },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'GET', 'PATCH', 'DELETE') },
      ),
      path: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('/webhooks/square', '/webhooks/square/', '/webhooks/square?x=1') },
        { weight: 1, arbitrary: fc.constantFrom('/WEBHOOKS/SQUARE', '/webhooks', '/', '/webhooks/square/extra') },
      ),
      contentType: fc.oneof(
        {
          weight: 8,
          arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'),
        },
        {
          weight: 2,
          arbitrary: fc.oneof(
            fc.constantFrom('text/plain', '', 'multipart/form-data; boundary=x'),
            fc.string({ maxLength: 40 }),
          ),
        },
      ),
      contentEncoding: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.constantFrom('identity', 'gzip', 'br', 'x-unknown') },
      ),
      signature: fc.constantFrom<SignatureMode>(
        'none',
        'empty',
        'random',
        'valid',
        'valid',
        'valid',
        'other-url',
        'other-key',
        'sha1',
        'huge',
      ),
      noise: fc.dictionary(
        fc.constantFrom(
          'square-retry-number',
          'square-initial-delivery-timestamp',
          'square-environment',
          'x-forwarded-host',
          'host',
        ),
        fc.string({ maxLength: 60 }),
        { maxKeys: 3 },
      ),
    });

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.noise)) if (/^[\x20-\x7e]*$/.test(v) && k !== 'host') headers[k] = v;
        if (r.contentType && /^[\x20-\x7e]*$/.test(r.contentType)) headers['content-type'] = r.contentType;
        if (r.contentEncoding) headers['content-encoding'] = r.contentEncoding;
        const signatures: Record<SignatureMode, [string, string] | undefined> = {
          none: undefined,
          empty: ['x-square-hmacsha256-signature', ''],
          random: ['x-square-hmacsha256-signature', Buffer.from(r.body.subarray(0, 32)).toString('base64')],
          valid: ['x-square-hmacsha256-signature', sign('sha256', KEY, URL_SIGNED, r.body)],
          'other-url': ['x-square-hmacsha256-signature', sign('sha256', KEY, `${URL_SIGNED}/`, r.body)],
          'other-key': ['x-square-hmacsha256-signature', sign('sha256', 'whsk_other', URL_SIGNED, r.body)],
          sha1: ['x-square-signature', sign('sha1', KEY, URL_SIGNED, r.body)],
          huge: ['x-square-hmacsha256-signature', 'A'.repeat(8000)],
        };
        const sig = signatures[r.signature];
        if (sig && sig[1] !== '') headers[sig[0]] = sig[1];
        if (r.signature === 'valid' || r.signature === 'sha1') validlySigned.add(r.body.toString('base64'));
        const withBody = r.method !== 'GET';
        let res: Response;
        try {
          res = await fetch(`http://127.0.0.1:${ingress.port}${r.path}`, {
            method: r.method,
            headers,
            body: withBody ? r.body : undefined,
          });
          await res.arrayBuffer();
        } catch (err) {
          // A request the ingress refuses from its headers alone (method, path, content type, a missing
          // or malformed signature header) is answered before its body is read and the connection is
          // closed: a client still sending a large body may see the close, not the answer. A delivery
          // shaped as Square sends one must always get an answer.
          if (likeSquare(r)) throw err;
          closedBeforeBody += 1;
          return true;
        }
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        return ALLOWED.has(res.status);
      }),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 400),
        seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
      },
    );

    // Bytes that are not even HTTP.
    for (let i = 0; i < 30; i++) {
      await new Promise<void>((resolve) => {
        const socket = new Socket();
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.connect(ingress.port, '127.0.0.1', () => {
          socket.end(Buffer.from(Array.from({ length: 200 }, () => Math.floor(Math.random() * 256))));
        });
        setTimeout(() => (socket.destroy(), resolve()), 1000);
      });
    }

    const alive = await fetch(`http://127.0.0.1:${ingress.port}/health/live`);
    expect(alive.status).toBe(200);
    const { rows } = await db.query<{ raw_body: Buffer }>(
      'SELECT raw_body FROM webhook_events UNION ALL SELECT raw_body FROM invalid_webhooks',
    );
    const unsignedStored = rows.filter((r) => !validlySigned.has(r.raw_body.toString('base64')));
    recordScenario(
      'fuzz',
      [
        '### Bad-input fuzzing of the ingress (fast-check)',
        '',
        table([
          [
            'random requests (bodies, content types, encodings, sizes up to 1 MiB + 2, methods, paths, signatures)',
            Object.values(statuses).reduce((a, b) => a + b, 0) + closedBeforeBody,
          ],
          [
            'answers by status',
            Object.entries(statuses)
              .map(([s, n]) => `${n}× ${s}`)
              .join(', '),
          ],
          ['closed while the client still sent a body the ingress refused from its headers', closedBeforeBody],
          ['5xx answers', Object.entries(statuses).filter(([s]) => Number(s) >= 500).length],
          ['non-HTTP byte streams sent', 30],
          ['ingress alive afterwards', alive.status === 200 ? 'yes' : 'no'],
          ['rows stored (events + invalid bodies)', rows.length],
          ['rows stored without a valid signature', unsignedStored.length],
        ]),
      ].join('\n'),
    );
    expect(unsignedStored).toHaveLength(0);
  }, 240_000);
});

import { request } from 'node:http';
import { connect, type Server } from 'node:net';
import { SquareWebhookRoute } from '../apps/ingress/src/square-webhooks/square-webhook.route.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { freePort, startBlackhole } from './support/servers.js';
import { createTestDatabase, databaseUrl, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';

// Postgres down or hanging (the ingress does not use Redis). Private servers stand in for it, so
// the machine's shared Postgres (used by the other suites at the same time) is never touched.
describe('ingress when a dependency is down', () => {
  let db: TestDatabase;
  const started: TestIngress[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('outages');
  });

  afterAll(async () => {
    for (const ingress of started) await ingress.close();
    for (const close of closers) await close();
    await db?.drop();
  });

  const start = async (dbUrl: string, overrides: Parameters<typeof ingressConfig>[1] = {}) => {
    const ingress = await startIngress(ingressConfig(dbUrl, { signatureKeys: [KEY], ...overrides }));
    started.push(ingress);
    return ingress;
  };

  it('Postgres refusing connections: 503 with Retry-After, at once', async () => {
    const url = new URL(databaseUrl('nowhere'));
    url.port = String(await freePort());
    const ingress = await start(url.toString());
    const body = paymentEventBody('pg-down-1');
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'Service unavailable',
      message: 'database is unavailable; retry later',
    });
    expect(res.ms).toBeLessThan(2000);
  });

  it('Postgres hanging (accepts, never answers): 503 within 2 s', async () => {
    const hole = await startBlackhole();
    closers.push(() => hole.close());
    const url = new URL(databaseUrl('hung'));
    url.port = String(hole.port);
    const ingress = await start(url.toString());
    const body = paymentEventBody('pg-hang-1');
    const results = await Promise.all([1, 2, 3].map(() => ingress.post(body, signedHeaders(body, KEY))));
    for (const res of results) {
      expect(res.status).toBe(503);
      expect(res.ms).toBeLessThan(2000);
    }
  });

  it('a signed but unreadable body while Postgres is down: 503, not 400, so it is not lost', async () => {
    const url = new URL(databaseUrl('nowhere'));
    url.port = String(await freePort());
    const ingress = await start(url.toString());
    const body = Buffer.from('not json');
    expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(503);
  });

  it('too many body bytes held at once: 503 with Retry-After, then accepted again', async () => {
    const ingress = await start(db.url, { maxInFlightBodyBytes: 1024 * 1024 });
    const padded = (eventId: string) => {
      const json = paymentEventBody(eventId).toString();
      return Buffer.from(json.slice(0, -1) + ',"pad":"' + ' '.repeat(700 * 1024) + '"}');
    };
    // A slow delivery has sent 700 KiB of its body, which the ingress holds while the rest trickles in.
    const slow = padded('held-1');
    const answer = new Promise<number>((resolve, reject) => {
      const req = request(
        `${ingress.url}/webhooks/square`,
        { method: 'POST', headers: { ...signedHeaders(slow, KEY), 'content-length': String(slow.length) } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write(slow.subarray(0, 700 * 1024));
      setTimeout(() => req.end(slow.subarray(700 * 1024)), 800);
    });
    const route = ingress.app.get(SquareWebhookRoute);
    await eventually(async () => route.bytesHeld >= 700 * 1024, 5000, 'the slow delivery to hold 700 KiB');
    const refused = padded('refused-1');
    const res = await ingress.post(refused, signedHeaders(refused, KEY));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.message).toBe('too many deliveries in progress; retry later');
    expect(await db.query('SELECT 1 FROM webhook_events WHERE event_id = $1', ['refused-1'])).toHaveLength(0);

    expect(await answer).toBe(200);
    const again = await ingress.post(refused, signedHeaders(refused, KEY));
    expect(again.status).toBe(200);
    expect(
      await db.query('SELECT event_id FROM webhook_events WHERE event_id = ANY($1) ORDER BY 1', [
        ['held-1', 'refused-1'],
      ]),
    ).toEqual([{ event_id: 'held-1' }, { event_id: 'refused-1' }]);
  });

  it('slow clients do not block intake, and are cut off at INGRESS_REQUEST_TIMEOUT_MS', async () => {
    // Before: 8 connections announcing 1 MiB and sending one byte reserved the whole 8 MiB budget,
    // and every real delivery got 503 until Node's 300 s request timeout closed them.
    const timeoutMs = 2000;
    const ingress = await start(db.url, { requestTimeoutMs: timeoutMs });
    const { port } = new URL(ingress.url);
    const opened = Date.now();
    const slowClient = (payload: string) =>
      new Promise<number>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(payload));
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - opened));
      });
    // A well-formed signature header: without one, the request is refused before its body is read.
    const signature = `X-Square-HmacSha256-Signature: ${Buffer.alloc(32, 1).toString('base64')}\r\n`;
    const slowBodies = Array.from({ length: 8 }, () =>
      slowClient(
        `POST /webhooks/square HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${signature}Content-Length: 1048576\r\n\r\n{`,
      ),
    );
    const slowHeaders = slowClient('POST /webhooks/square HTTP/1.1\r\nHost: x\r\nContent-Type: appl'); // never finishes its headers
    const server = ingress.app.getHttpServer() as Server;
    const open = () =>
      new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    await eventually(async () => (await open()) >= 9, 5000, 'the 9 slow connections to be open');

    const body = paymentEventBody('beside-slow-clients');
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);

    // Node checks the bound every second (IngressHttpAdapter).
    for (const closedAfterMs of await Promise.all([...slowBodies, slowHeaders])) {
      expect(closedAfterMs).toBeGreaterThanOrEqual(timeoutMs - 100);
      expect(closedAfterMs).toBeLessThan(timeoutMs + 1500);
    }
  });
});

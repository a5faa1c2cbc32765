import { request } from 'node:http';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { freePort, startBlackhole } from './support/servers.js';
import { createTestDatabase, databaseUrl, type TestDatabase } from './support/test-database.js';

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

  const start = async (dbUrl: string, maxInFlightBodyBytes?: number) => {
    const ingress = await startIngress(ingressConfig(dbUrl, { signatureKeys: [KEY], maxInFlightBodyBytes }));
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
    expect(res.body).toEqual({ statusCode: 503, error: 'Service unavailable', message: 'database is unavailable; retry later' });
    expect(res.ms).toBeLessThan(2000);
  });

  it('Postgres hanging (accepts, never answers): 503 within 2 s', async () => {
    const hole = await startBlackhole();
    closers.push(hole.close);
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

  it('too many bodies in memory at once: 503 with Retry-After before reading, then accepted again', async () => {
    const ingress = await start(db.url, 1024 * 1024);
    const padded = (eventId: string) => {
      const json = paymentEventBody(eventId).toString();
      return Buffer.from(json.slice(0, -1) + ',"pad":"' + ' '.repeat(700 * 1024) + '"}');
    };
    // A slow delivery holds 700 KiB of the 1 MiB budget while its body trickles in.
    const slow = padded('held-1');
    const answer = new Promise<number>((resolve, reject) => {
      const req = request(`${ingress.url}/webhooks/square`, { method: 'POST', headers: { ...signedHeaders(slow, KEY), 'content-length': String(slow.length) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(slow.subarray(0, 1000));
      setTimeout(() => req.end(slow.subarray(1000)), 500);
    });
    await new Promise((r) => setTimeout(r, 200));
    const refused = padded('refused-1');
    const res = await ingress.post(refused, signedHeaders(refused, KEY));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.message).toBe('too many deliveries in progress; retry later');
    expect(await db.query('SELECT 1 FROM webhook_events WHERE event_id = $1', ['refused-1'])).toHaveLength(0);

    expect(await answer).toBe(200);
    const again = await ingress.post(refused, signedHeaders(refused, KEY));
    expect(again.status).toBe(200);
    expect(await db.query('SELECT event_id FROM webhook_events WHERE event_id = ANY($1) ORDER BY 1', [['held-1', 'refused-1']])).toEqual([
      { event_id: 'held-1' },
      { event_id: 'refused-1' },
    ]);
  });
});

import { QUEUES } from '@app/queue';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { NOTIFICATION_URL, paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { SIGNATURE_VECTORS } from '@app/testing';

const KEY = 'whsk_test_key';

describe('ingress: POST /webhooks/square', () => {
  let db: TestDatabase;
  let ingress: TestIngress;

  const eventCount = async (eventId: string) =>
    Number(
      (await db.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE event_id = $1', [eventId]))[0]!.n,
    );
  const totalRows = async (table: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
  /** The jobs the ingress left in the outbox for the worker's relay. */
  const outboxJobs = (eventId: string) =>
    db.query('SELECT queue, ref, generation FROM job_outbox WHERE ref = $1', [eventId]);

  beforeAll(async () => {
    db = await createTestDatabase('ingress');
    const vectorKeys = [...new Set(SIGNATURE_VECTORS.map((v) => v.signatureKey))];
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY, ...vectorKeys] }));
  });

  afterAll(async () => {
    await ingress?.close();
    await db?.drop();
  });

  describe('signature vectors (checked against the official SDK)', () => {
    const forConfiguredUrl = SIGNATURE_VECTORS.filter((v) => v.notificationUrl === NOTIFICATION_URL);

    it.each(forConfiguredUrl.map((v) => [v.payload, v] as const))('accepts %s and stores it', async (_, v) => {
      const body = Buffer.from(v.body);
      const res = await ingress.post(body, {
        'content-type': 'application/json',
        'x-square-hmacsha256-signature': v['x-square-hmacsha256-signature'],
      });
      expect(res.status).toBe(200);
      expect(['accepted', 'duplicate']).toContain(res.body.status);
      const [row] = await db.query<{ raw_body: Buffer; signature_algorithm: string }>(
        'SELECT raw_body, signature_algorithm FROM webhook_events WHERE event_id = $1',
        [res.body.eventId],
      );
      expect(row?.raw_body.equals(body)).toBe(true);
      expect(row?.signature_algorithm).toBe('sha256');
    });

    it.each(
      SIGNATURE_VECTORS.filter((v) => v.notificationUrl !== NOTIFICATION_URL).map((v) => [v.payload, v] as const),
    )('rejects %s signed for the trailing-slash URL', async (_, v) => {
      const before = await totalRows('webhook_events');
      const res = await ingress.post(v.body, {
        'content-type': 'application/json',
        'x-square-hmacsha256-signature': v['x-square-hmacsha256-signature'],
      });
      expect(res.status).toBe(401);
      expect(await totalRows('webhook_events')).toBe(before);
    });

    it('rejects a vector body with one byte changed', async () => {
      const v = forConfiguredUrl[0]!;
      const body = Buffer.from(v.body);
      body[10] = body[10]! ^ 0x20;
      const res = await ingress.post(body, {
        'content-type': 'application/json',
        'x-square-hmacsha256-signature': v['x-square-hmacsha256-signature'],
      });
      expect(res.status).toBe(401);
    });
  });

  it('accepts a new event, stores the delivery headers, and leaves one job for it in the outbox, in the same commit', async () => {
    const body = paymentEventBody('evt-accept-1');
    const res = await ingress.post(body, {
      ...signedHeaders(body, KEY),
      'square-environment': 'Production',
      'square-initial-delivery-timestamp': '2026-10-02T14:05:42.118Z',
      'square-retry-number': '0',
    });
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted', eventId: 'evt-accept-1' } });
    const [row] = await db.query('SELECT * FROM webhook_events WHERE event_id = $1', ['evt-accept-1']);
    expect(row).toMatchObject({
      event_type: 'payment.updated',
      merchant_id: 'ML7Q2XK4ZP1N9',
      status: 'received',
      delivery_count: 1,
      square_environment: 'Production',
      square_retry_number: 0,
    });
    expect((row!.square_initial_delivery_at as Date).toISOString()).toBe('2026-10-02T14:05:42.118Z');
    expect((row!.payload as { event_id: string }).event_id).toBe('evt-accept-1');
    expect(await outboxJobs('evt-accept-1')).toEqual([
      { queue: QUEUES.squareEvents, ref: 'evt-accept-1', generation: 0 },
    ]);
  });

  it('counts a redelivery without a second row or job, and answers duplicate', async () => {
    const body = paymentEventBody('evt-dup-1');
    expect((await ingress.post(body, signedHeaders(body, KEY))).body.status).toBe('accepted');
    await db.query('DELETE FROM job_outbox WHERE ref = $1', ['evt-dup-1']); // the relay took it
    const again = await ingress.post(body, {
      ...signedHeaders(body, KEY),
      'square-retry-number': '2',
      'square-retry-reason': 'http_timeout',
    });
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    const [row] = await db.query(
      'SELECT delivery_count, square_retry_number, square_retry_reason FROM webhook_events WHERE event_id = $1',
      ['evt-dup-1'],
    );
    expect(row).toEqual({ delivery_count: 2, square_retry_number: 2, square_retry_reason: 'http_timeout' });
    // Still 'received': its job may have been lost (Redis restarted empty), so it is checked again.
    expect(await outboxJobs('evt-dup-1')).toHaveLength(1);
  });

  it('a redelivery of an event already processed leaves no job', async () => {
    const body = paymentEventBody('evt-dup-done');
    await ingress.post(body, signedHeaders(body, KEY));
    await db.query(`DELETE FROM job_outbox WHERE ref = $1`, ['evt-dup-done']);
    await db.query(`UPDATE webhook_events SET status = 'processed' WHERE event_id = $1`, ['evt-dup-done']);
    expect((await ingress.post(body, signedHeaders(body, KEY))).body.status).toBe('duplicate');
    expect(await outboxJobs('evt-dup-done')).toHaveLength(0);
  });

  it('50 concurrent deliveries of one event: one row (50 deliveries), one job in the outbox', async () => {
    const body = paymentEventBody('evt-storm-1');
    const results = await Promise.all(Array.from({ length: 50 }, () => ingress.post(body, signedHeaders(body, KEY))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.status === 'accepted')).toHaveLength(1);
    expect(await eventCount('evt-storm-1')).toBe(1);
    const [row] = await db.query<{ delivery_count: number }>(
      'SELECT delivery_count FROM webhook_events WHERE event_id = $1',
      ['evt-storm-1'],
    );
    expect(row!.delivery_count).toBe(50);
    expect(await outboxJobs('evt-storm-1')).toHaveLength(1);
  });

  describe('bad input', () => {
    it.each([
      ['no signature header', {}],
      ['an empty signature', { 'x-square-hmacsha256-signature': '' }],
      ['a wrong signature', { 'x-square-hmacsha256-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
      [
        'a signature from another key',
        {
          'x-square-hmacsha256-signature': signedHeaders(paymentEventBody('evt-401'), 'other')[
            'x-square-hmacsha256-signature'
          ]!,
        },
      ],
    ])('401 for %s, and nothing is stored', async (_, headers) => {
      const before = [await totalRows('webhook_events'), await totalRows('invalid_webhooks')];
      const res = await ingress.post(paymentEventBody('evt-401'), { 'content-type': 'application/json', ...headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'invalid Square signature' });
      expect([await totalRows('webhook_events'), await totalRows('invalid_webhooks')]).toEqual(before);
    });

    it.each([
      ['not JSON', 'this is not json'],
      ['JSON without an event id', '{"type":"payment.updated","data":{}}'],
      ['a JSON array', '[{"event_id":"x","type":"y"}]'],
    ])('400 for a signed body that is %s; the raw body is kept in invalid_webhooks', async (_, text) => {
      const body = Buffer.from(text);
      const before = await totalRows('webhook_events');
      const res = await ingress.post(body, signedHeaders(body, KEY));
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(await totalRows('webhook_events')).toBe(before);
      const kept = await db.query<{ raw_body: Buffer; reason: string; headers: Record<string, string> }>(
        'SELECT raw_body, reason, headers FROM invalid_webhooks WHERE raw_body = $1',
        [body],
      );
      expect(kept).toHaveLength(1);
      expect(kept[0]!.reason).toBe(res.body.message);
      expect(kept[0]!.headers['x-square-hmacsha256-signature']).toBeDefined();
    });

    it('400 (and kept) for JSON that Postgres jsonb cannot hold', async () => {
      const body = Buffer.from('{"event_id":"evt-nul","type":"payment.updated","note":"a\\u0000b"}');
      const res = await ingress.post(body, signedHeaders(body, KEY));
      expect(res.status).toBe(400);
      expect(await eventCount('evt-nul')).toBe(0);
      expect(await db.query('SELECT 1 FROM invalid_webhooks WHERE raw_body = $1', [body])).toHaveLength(1);
    });

    it('JSON that jsonb refuses fails alone, not the deliveries stored in the same batch', async () => {
      const bad = Buffer.from('{"event_id":"evt-nul-batch","type":"payment.updated","note":"\\u0000"}');
      const good = Array.from({ length: 30 }, (_, i) => paymentEventBody(`evt-batch-${i}`));
      const results = await Promise.all([bad, ...good].map((body) => ingress.post(body, signedHeaders(body, KEY))));
      expect(results[0]!.status).toBe(400);
      expect(results.slice(1).map((r) => r.body.status)).toEqual(good.map(() => 'accepted'));
      const stored = await db.query(`SELECT 1 FROM webhook_events WHERE event_id LIKE 'evt-batch-%'`);
      expect(stored).toHaveLength(30);
    });

    it('poisoned deliveries in a burst: each answered 400 and kept, and no good delivery beside it is refused', async () => {
      // A NUL in merchant_id (SQLSTATE 22021 for a text column) and JSON nested 20 000 levels deep
      // (54001 in jsonb) used to sink the whole batch they were in, with 503s.
      const poisons = [
        (round: number) =>
          Buffer.from(`{"event_id":"poison-nul-${round}","type":"payment.updated","merchant_id":"M\\u0000${round}"}`),
        (round: number) =>
          Buffer.from(
            `{"event_id":"poison-deep-${round}","type":"payment.updated","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
          ),
      ];
      const rounds = 30;
      const statuses = { good: new Map<number, number>(), poisoned: new Map<number, number>() };
      const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
      for (let round = 0; round < rounds; round++) {
        const poisoned = poisons[round % 2]!(round);
        const good = Array.from({ length: 20 }, (_, i) => paymentEventBody(`burst-${round}-${i}`));
        // In the middle of the burst, so that it shares a batch with good deliveries.
        const bodies = [...good.slice(0, 10), poisoned, ...good.slice(10)];
        const answers = await Promise.all(bodies.map((body) => ingress.post(body, signedHeaders(body, KEY))));
        answers.forEach((r, i) => count(i === 10 ? statuses.poisoned : statuses.good, r.status));
      }
      expect(Object.fromEntries(statuses.good)).toEqual({ 200: rounds * 20 });
      expect(Object.fromEntries(statuses.poisoned)).toEqual({ 400: rounds });
      const kept = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM invalid_webhooks WHERE convert_from(raw_body, 'UTF8') LIKE '{"event_id":"poison-%'`,
      );
      expect(Number(kept[0]!.n)).toBe(rounds);
      expect(await db.query(`SELECT 1 FROM webhook_events WHERE event_id LIKE 'poison-%'`)).toHaveLength(0);
    });

    it('batched inserts: an unstorable event is retried alone and fails alone', async () => {
      // 20 deliveries in one tick: the first ones go alone, the rest share a batch with the bad one.
      const { UnstorablePayloadError, WebhookInboxRepository } = await import('@app/database');
      const inbox = ingress.app.get(WebhookInboxRepository);
      const delivery = {
        environment: null,
        initialDeliveryTimestamp: null,
        initialDeliveryAt: null,
        retryNumber: null,
        retryReason: null,
      };
      const make = (eventId: string, payload: Record<string, unknown>) => {
        const json = JSON.stringify(payload);
        return {
          event: { eventId, type: 'payment.updated', merchantId: null, json, bodyKey: null },
          signatureAlgorithm: 'sha256' as const,
          delivery,
        };
      };
      const items = [
        ...Array.from({ length: 19 }, (_, i) => make(`fallback-${i}`, { i })),
        make('fallback-bad', { note: '\u0000' }),
      ];
      const settled = await Promise.allSettled(items.map((item) => inbox.recordDelivery(item)));
      expect(settled.slice(0, 19).map((s) => (s.status === 'fulfilled' ? s.value.outcome : 'rejected'))).toEqual(
        Array(19).fill('new'),
      );
      expect(settled[19]).toMatchObject({ status: 'rejected', reason: expect.any(UnstorablePayloadError) });
    });

    it('413 for a body over 1 MiB, nothing stored', async () => {
      const before = await totalRows('webhook_events');
      const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
      const res = await ingress.post(big, signedHeaders(big, KEY));
      expect(res.status).toBe(413);
      expect(await totalRows('webhook_events')).toBe(before);
    });

    it('accepts a body of exactly 1 MiB', async () => {
      const json = paymentEventBody('evt-1mib').toString();
      const body = Buffer.from(json.slice(0, -1) + ',"pad":"' + ' '.repeat(1024 * 1024 - json.length - 9) + '"}');
      expect(body.length).toBe(1024 * 1024);
      const res = await ingress.post(body, signedHeaders(body, KEY));
      expect(res.status).toBe(200);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', ''])('415 for content type "%s"', async (type) => {
      const body = paymentEventBody('evt-415');
      const res = await ingress.post(body, { ...signedHeaders(body, KEY), 'content-type': type });
      expect(res.status).toBe(415);
      expect(await eventCount('evt-415')).toBe(0);
    });

    it('accepts application/json with a charset', async () => {
      const body = paymentEventBody('evt-charset');
      const res = await ingress.post(body, {
        ...signedHeaders(body, KEY),
        'content-type': 'application/json; charset=utf-8',
      });
      expect(res.status).toBe(200);
    });

    it('404 for another route, 405 (with Allow) for another method', async () => {
      const notFound = await fetch(`${ingress.url}/webhooks/stripe`, { method: 'POST' });
      expect(notFound.status).toBe(404);
      expect(await notFound.json()).toMatchObject({ statusCode: 404 });
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const res = await fetch(`${ingress.url}/webhooks/square`, { method });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
      }
    });

    it('never answers with a stack trace or an HTML error page', async () => {
      const responses = [
        await fetch(`${ingress.url}/webhooks/square`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: 'x',
        }),
        await fetch(`${ingress.url}/webhooks/square`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '5' },
          body: 'abcde',
        }),
      ];
      expect(responses.map((r) => r.status)).toEqual([415, 401]);
      for (const res of responses) {
        expect(res.headers.get('content-type')).toContain('application/json');
        const text = await res.text();
        expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
        expect(text).not.toContain('<html');
      }
    });
  });
});

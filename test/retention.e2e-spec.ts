import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DEAD_LETTER_JOBS, QUEUES, jobIdForEvent } from '@app/queue';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { storeInboxEvent, type StoredEvent } from './support/admin.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix, dumpQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const DAY = 86_400_000;
const EVENTS_CLI = 'dist/apps/cli/src/events.main.js';
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

// Erasure's subjects (issue 21, part 4).
const MERCHANT = 'MERASE2E';
const CUSTOMER = 'CUSTERASE7Q';
const CUSTOMER_EMAIL = 'Ada.Lovelace@example.com';
const GUEST_EMAIL = 'Guest.Buyer@example.com';
const KEPT = 'CUSTKEPT3Z';

const eventBody = (eventId: string, type: string, data: object) =>
  Buffer.from(
    JSON.stringify({ merchant_id: MERCHANT, type, event_id: eventId, created_at: new Date().toISOString(), data }),
  );
// pg_dump prints bytea as hex: a subject inside raw_body is found as its hex too.
const hex = (s: string) => Buffer.from(s).toString('hex');

// Run it for years: old bodies go, rows stay (deduplication forever), personal data can be erased
// (and after an erase nothing in Postgres or under the queue prefix in Redis names the subject).
describe('retention and erasure', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('retention');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SQUARE_ACCESS_TOKEN: 'test-token',
      SQUARE_BASE_URL: fake.url,
      LOG_LEVEL: 'warn',
    };
    // Stored as the pipeline would have, long ago; the worker's purge runs every half second.
    const old = (id: string, e: StoredEvent) => storeInboxEvent(db, id, e);
    await old('old-processed', { status: 'processed', receivedAt: daysAgo(40) });
    await old('old-ignored', { status: 'ignored', receivedAt: daysAgo(40) });
    await old('recent-processed', { status: 'processed', receivedAt: daysAgo(5) });
    await old('dead-40', { status: 'dead_lettered', receivedAt: daysAgo(40), deadLetterReason: 'square_404' });
    await old('dead-100', { status: 'dead_lettered', receivedAt: daysAgo(100), deadLetterReason: 'square_404' });
    await old('old-received', { status: 'received', receivedAt: daysAgo(40) });
    await db.query(
      `INSERT INTO invalid_webhooks (body_sha256, raw_body, reason, signature_algorithm, headers, first_received_at, last_received_at)
      VALUES ('a', 'x', 'bad_signature', 'sha256', '{}', $1, $1), ('b', 'y', 'bad_signature', 'sha256', '{}', now(), now())`,
      [daysAgo(10)],
    );
    await db.query(
      `INSERT INTO forward_deliveries (destination, event_id, event_type, webhook_id, body, status, created_at)
      VALUES ('orders', 'old-processed', 'payment.updated', 'msg_1', '{}', 'delivered', $1), ('orders', 'recent-processed', 'payment.updated', 'msg_2', '{}', 'delivered', now())`,
      [daysAgo(40)],
    );
    // Their dead-letter entries, as the worker lists them for Bull Board.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const deadLetters = new Queue(QUEUES.deadLetter, { connection: redis, prefix });
    for (const id of ['dead-40', 'dead-100'])
      await deadLetters.add(
        DEAD_LETTER_JOBS.deadLettered,
        { eventId: id, reason: 'square_404' },
        { jobId: jobIdForEvent(id) },
      );
    await deadLetters.close();
    redis.disconnect();
    worker = await spawnApp(
      'worker',
      {
        ...env,
        SWEEP_INTERVAL_MS: '3600000',
        RETENTION_INTERVAL_MS: '500',
        RETENTION_EVENT_DAYS: '30',
        RETENTION_DEAD_LETTERED_DAYS: '90',
        RETENTION_DELIVERY_DAYS: '30',
        RETENTION_INVALID_DAYS: '7',
      },
      'WORKER_PORT',
    );
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const deadLetterEntries = async () =>
    (await dumpQueuePrefix(prefix))
      .split('\n')
      .map((line) => line.split(' ')[0]!)
      .filter((key) => key.startsWith(`${prefix}:${QUEUES.deadLetter}:`) && /:dead-\d+$/.test(key))
      .sort();

  const event = async (id: string) =>
    (
      await db.query<{ status: string; purged: boolean; body_bytes: number; payload: unknown; delivery_count: number }>(
        'SELECT status, purged_at IS NOT NULL AS purged, length(raw_body) AS body_bytes, payload, delivery_count FROM webhook_events WHERE event_id = $1',
        [id],
      )
    )[0];

  it('the worker purges what retention expires, in its own categories, keeping every row', async () => {
    // Invalid bodies are the last category of a pass.
    await eventually(
      async () => (await db.query("SELECT 1 FROM invalid_webhooks WHERE body_sha256 = 'a'")).length === 0 || undefined,
      15_000,
      'the purge to run',
    );
    for (const id of ['old-processed', 'old-ignored', 'dead-100'])
      expect(await event(id)).toMatchObject({ purged: true, body_bytes: 0, payload: null });
    for (const id of ['recent-processed', 'dead-40', 'old-received'])
      expect(await event(id)).toMatchObject({ purged: false, payload: expect.objectContaining({ event_id: id }) });
    expect((await db.query('SELECT body_sha256 FROM invalid_webhooks')).map((r) => r.body_sha256)).toEqual(['b']);
    expect((await db.query('SELECT webhook_id FROM forward_deliveries')).map((r) => r.webhook_id)).toEqual(['msg_2']);
    // A dead letter's entry in Redis goes with its body.
    expect(await deadLetterEntries()).toEqual([`${prefix}:${QUEUES.deadLetter}:dead-40`]);
    await eventually(
      async () =>
        /square_purged_total\{category="events"\} 2\n/.test(
          await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text(),
        ) || undefined,
      5000,
      'the purge to be counted',
    );
  });

  it('a redelivery of a purged event is a duplicate and is never applied again; a purged dead letter is not replayed', async () => {
    const body = paymentEventBody('old-processed');
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.body).toMatchObject({ status: 'duplicate' });
    expect(await event('old-processed')).toMatchObject({ status: 'processed', purged: true, delivery_count: 2 });
    expect(await db.query("SELECT 1 FROM job_outbox WHERE ref = 'old-processed'")).toEqual([]);
    const replay = await runNode(EVENTS_CLI, ['replay', 'dead-100'], env);
    expect(replay.stdout).toContain('skipped dead-100');
    expect(await event('dead-100')).toMatchObject({ status: 'dead_lettered' });
  });

  it('events purge: a dry run counts, a run removes and says what', async () => {
    const dry = await runNode(EVENTS_CLI, ['purge', '--older-than', '1d', '--dead-lettered', '--dry-run'], env);
    expect(dry).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^would purge \(older than .*\): 1 processed\/ignored event bodies, 1 dead-lettered event bodies, 0 finished deliveries, 0 invalid bodies\n$/,
      ),
    });
    expect(await event('recent-processed')).toMatchObject({ purged: false });
    const run = await runNode(EVENTS_CLI, ['purge', '--older-than', '1d', '--dead-lettered'], env);
    expect(run.stdout).toMatch(
      /^purged .*: 1 processed\/ignored event bodies, 1 dead-lettered event bodies, 0 finished deliveries, 0 invalid bodies, 1 dead-letter queue entries\n$/,
    );
    expect(await deadLetterEntries()).toEqual([]);
    expect(await event('recent-processed')).toMatchObject({ purged: true });
    expect(await event('dead-40')).toMatchObject({ purged: true });
  });

  it('events replay by filter: a dry run counts; a run replays at the rate asked', async () => {
    for (let i = 0; i < 60; i++)
      await storeInboxEvent(db, `filter-${i}`, {
        status: 'dead_lettered',
        type: 'invoice.updated',
        receivedAt: daysAgo(2),
        deadLetterReason: 'square_404',
      });
    const filter = ['replay', '--status', 'dead_lettered', '--type', 'invoice.updated', '--since', daysAgo(3)];
    expect((await runNode(EVENTS_CLI, [...filter, '--dry-run'], env)).stdout).toBe(
      '60 dead-lettered event(s) match; nothing replayed (--dry-run)\n',
    );
    const started = Date.now();
    const run = await runNode(EVENTS_CLI, [...filter, '--rate', '40'], env);
    expect(run.stdout).toMatch(/60 replayed, 0 skipped, 0 not found, 0 failed\n$/);
    expect(Date.now() - started).toBeGreaterThan(1400); // 60 at 40 a second: 1.5 s at least
  });

  it("erase --customer-id removes the customer's bodies, payments and deliveries; --merchant-id a seller's objects", async () => {
    fake.put('payment', { ...SAMPLE_PAYMENTS[0]!, id: 'pay_erase', customer_id: 'CUST_ERASE' });
    const body = paymentEventBody('erase-1', 'pay_erase', 3, 'MERASE');
    await ingress.post(body, signedHeaders(body, KEY));
    await eventually(
      async () => (await event('erase-1'))?.status === 'processed' || undefined,
      15_000,
      'erase-1 to be processed',
    );
    const customer = Buffer.from(
      JSON.stringify({
        merchant_id: 'MERASE',
        type: 'customer.created',
        event_id: 'erase-2',
        created_at: new Date().toISOString(),
        data: { type: 'customer', id: 'CUST_OTHER' },
      }),
    );
    await ingress.post(customer, signedHeaders(customer, KEY));
    await eventually(
      async () => (await event('erase-2'))?.status === 'processed' || undefined,
      15_000,
      'erase-2 to be processed',
    );
    expect(await db.query("SELECT 1 FROM payments WHERE id = 'pay_erase'")).toHaveLength(1);

    const erased = await runNode(EVENTS_CLI, ['erase', '--customer-id', 'CUST_ERASE'], env);
    expect(erased).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(
        'erased customer CUST_ERASE:\n  postgres: 0 event bodies, 0 mirrored objects, 1 payments, 0 refunds, 0 deliveries, 0 invalid bodies, 0 error texts scrubbed\n',
      ),
    });
    expect(await db.query("SELECT 1 FROM payments WHERE id = 'pay_erase'")).toEqual([]);
    // The webhook's own body names the payment, not the customer (Square's object did): it stays.
    expect(await event('erase-1')).toMatchObject({ purged: false });
    expect(
      JSON.stringify(await db.query("SELECT payload, convert_from(raw_body, 'UTF8') AS body FROM webhook_events")),
    ).not.toContain('CUST_ERASE');

    const seller = await runNode(EVENTS_CLI, ['erase', '--merchant-id', 'MERASE'], env);
    expect(seller.stdout).toContain(
      'erased merchant MERASE:\n  postgres: 2 event bodies, 1 mirrored objects, 0 payments, 0 refunds, 0 deliveries, 0 invalid bodies, 0 error texts scrubbed\n',
    );
    expect(await db.query("SELECT 1 FROM square_objects WHERE merchant_id = 'MERASE'")).toEqual([]);
    // The rows stay (deduplication), without the seller's id.
    expect(await db.query("SELECT event_id FROM webhook_events WHERE merchant_id = 'MERASE'")).toEqual([]);
    expect(await event('erase-2')).toMatchObject({ purged: true, payload: null });
  });

  const status = async (id: string) =>
    (await db.query<{ status: string }>('SELECT status FROM webhook_events WHERE event_id = $1', [id]))[0]?.status;
  const post = async (body: Buffer) => ingress.post(body, signedHeaders(body, KEY));
  const pgDump = async () =>
    (await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', db.url], { maxBuffer: 64 * 1024 * 1024 }))
      .stdout;
  const occurrences = (dump: string, needles: string[]) =>
    needles.filter((n) => dump.toLowerCase().includes(n.toLowerCase()) || dump.includes(hex(n)));

  it('erase --customer-id, then --email: no id or address left in a pg_dump or under the queue prefix', async () => {
    // The customer's own event: Square answers 404, so last_error, the failed job's failedReason and
    // stacktrace, the events stream and a dead-letter entry all come to name GET /v2/customers/<id>.
    fake.fail({ id: CUSTOMER, status: 404 });
    await post(
      eventBody('ev-customer', 'customer.created', {
        type: 'customer',
        id: CUSTOMER,
        object: { customer: { id: CUSTOMER, email_address: CUSTOMER_EMAIL, given_name: 'Ada' } },
      }),
    );
    // Their payment (customer id and address), a guest checkout (an address, no customer), and someone else's.
    const payments = [
      { ...SAMPLE_PAYMENTS[0]!, id: 'pay_customer', customer_id: CUSTOMER, buyer_email_address: CUSTOMER_EMAIL },
      { ...SAMPLE_PAYMENTS[0]!, id: 'pay_guest', customer_id: undefined, buyer_email_address: GUEST_EMAIL },
      { ...SAMPLE_PAYMENTS[0]!, id: 'pay_kept', customer_id: KEPT, buyer_email_address: 'kept@example.com' },
    ];
    for (const payment of payments) {
      fake.put('payment', payment, MERCHANT);
      await post(
        eventBody(`ev-${payment.id}`, 'payment.updated', { type: 'payment', id: payment.id, object: { payment } }),
      );
    }
    // A signed body that is no event, naming the guest: kept as an invalid body.
    await post(Buffer.from(JSON.stringify({ note: `refund ${GUEST_EMAIL}` })));
    await eventually(
      async () => (await status('ev-customer')) === 'dead_lettered' || undefined,
      20_000,
      'the customer event to be dead-lettered',
    );
    for (const id of ['pay_customer', 'pay_guest', 'pay_kept'])
      await eventually(
        async () => (await status(`ev-${id}`)) === 'processed' || undefined,
        20_000,
        `ev-${id} to be processed`,
      );
    const deadLetterKey = `${prefix}:${QUEUES.deadLetter}:${jobIdForEvent('ev-customer')}`;
    const subjects = [CUSTOMER, CUSTOMER_EMAIL, GUEST_EMAIL];
    // Where they were before: everywhere the issue found them.
    expect((await db.query('SELECT last_error FROM webhook_events WHERE event_id = $1', ['ev-customer']))[0]).toEqual({
      last_error: `GET /v2/customers/${CUSTOMER} → 404 NOT_FOUND`,
    });
    expect(occurrences(await pgDump(), subjects)).toEqual(subjects);
    expect(occurrences(await dumpQueuePrefix(prefix), subjects)).toEqual([CUSTOMER]);
    expect(await dumpQueuePrefix(prefix)).toContain(deadLetterKey);

    const byId = await runNode(EVENTS_CLI, ['erase', '--customer-id', CUSTOMER], env);
    expect(byId).toMatchObject({ code: 0, stderr: '' });
    expect(byId.stdout).toBe(
      `erased customer ${CUSTOMER}:\n` +
        '  postgres: 2 event bodies, 0 mirrored objects, 1 payments, 0 refunds, 0 deliveries, 0 invalid bodies, 1 error texts scrubbed\n' +
        `  redis: 2 jobs (${QUEUES.squareEvents} 1, ${QUEUES.deadLetter} 1), 1 queue event-stream entries\n`,
    );
    expect((await db.query('SELECT last_error FROM webhook_events WHERE event_id = $1', ['ev-customer']))[0]).toEqual({
      last_error: 'GET /v2/customers/[erased] → 404 NOT_FOUND',
    });

    const byEmail = await runNode(EVENTS_CLI, ['erase', '--email', CUSTOMER_EMAIL.toUpperCase()], env);
    expect(byEmail).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('postgres: 0 event bodies, 0 mirrored objects, 0 payments'),
    });
    const guest = await runNode(EVENTS_CLI, ['erase', '--email', GUEST_EMAIL.toLowerCase()], env);
    expect(guest).toMatchObject({ code: 0, stderr: '' });
    expect(guest.stdout).toBe(
      `erased email ${GUEST_EMAIL.toLowerCase()}:\n` +
        '  postgres: 1 event bodies, 0 mirrored objects, 1 payments, 0 refunds, 0 deliveries, 1 invalid bodies, 0 error texts scrubbed\n' +
        '  redis: 0 jobs, 0 queue event-stream entries\n',
    );

    expect(occurrences(await pgDump(), subjects)).toEqual([]);
    const redis = await dumpQueuePrefix(prefix);
    expect(occurrences(redis, subjects)).toEqual([]);
    expect(redis).not.toContain(deadLetterKey);
    // Nobody else's data went.
    expect(await pgDump()).toContain(KEPT);
    expect(await db.query("SELECT id FROM payments WHERE id = 'pay_kept'")).toEqual([{ id: 'pay_kept' }]);
  }, 120_000); // three CLI runs and four dumps: generous on a loaded machine

  it('erase with Redis unreachable: Postgres is erased, the rest is said, exit 1 (running it again finishes)', async () => {
    const nowhere = await runNode(EVENTS_CLI, ['erase', '--customer-id', 'CUST_NOWHERE'], {
      ...env,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stdout).toMatch(/^erased customer CUST_NOWHERE:\n {2}postgres: 0 event bodies, .*\n$/);
    expect(nowhere.stderr).toContain(
      'events: Redis not erased (REDIS_URL (redis://127.0.0.1:1) is unreachable: connect ECONNREFUSED 127.0.0.1:1); run the erasure again once Redis answers\n',
    );
    expect(nowhere.stderr).not.toMatch(/\n\s+at /);
  });
});

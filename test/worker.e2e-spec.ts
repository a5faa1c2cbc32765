import { Queue } from 'bullmq';
import type { INestApplication } from '@nestjs/common';
import { DEAD_LETTER_JOBS, QUEUES, jobIdForEvent } from '@app/queue';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig } from './support/worker.js';
import { FakeSquareServer, SAMPLE_PAYMENTS, SAMPLE_REFUNDS, fixtureBody } from '@app/testing';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const PAYMENT_ID = String(PAYMENT.id);

// Signed request → ingress → queue → worker → Square (fake) → Postgres, with real apps.
describe('worker: end to end', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: INestApplication;
  let deadLetterQueue: Queue;

  beforeAll(async () => {
    db = await createTestDatabase('worker');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token' });
    for (const p of SAMPLE_PAYMENTS) fake.put('payment', p);
    for (const r of SAMPLE_REFUNDS) fake.put('refund', r);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY], allowLegacySha1: true }));
    worker = await startWorker(workerConfig(db.url, prefix, fake.url));
    deadLetterQueue = new Queue(QUEUES.deadLetter, { connection: { url: REDIS_URL }, prefix });
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await worker?.close();
    await ingress?.close();
    await deadLetterQueue?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const replay = (args: string[]) =>
    runNode('dist/apps/cli/src/events.main.js', ['replay', ...args], {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
  const send = async (body: Buffer) => {
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return String(res.body.eventId);
  };
  const eventRow = (eventId: string) =>
    db.query<Record<string, unknown>>('SELECT * FROM webhook_events WHERE event_id = $1', [eventId]).then((r) => r[0]);
  const settled = (eventId: string) =>
    eventually(
      async () => {
        const row = await eventRow(eventId);
        return row && row.status !== 'received' ? row : undefined;
      },
      15_000,
      `event ${eventId} to leave 'received'`,
    );

  it('a signed payment.updated becomes a processed event and a payment row with the retrieved data', async () => {
    const eventId = await send(fixtureBody('payment.updated.json'));
    expect(await settled(eventId)).toMatchObject({ status: 'processed', outcome: 'applied', attempts: 1 });
    const [payment] = await db.query('SELECT * FROM payments WHERE id = $1', [PAYMENT_ID]);
    expect(payment).toMatchObject({
      status: 'COMPLETED',
      amount: '2450',
      currency: 'USD',
      total_amount: '2450',
      location_id: 'LQ8T3M2V6R0YA',
      order_id: 'Ord7hXq2PcVb9Lm1NzKd4sTwYe',
      receipt_number: 'Rk2v',
      version: 3,
      last_event_id: eventId,
    });
    expect(payment!.data).toEqual(PAYMENT);
    expect((payment!.square_updated_at as Date).toISOString()).toBe('2026-10-02T14:05:41.930Z');
    expect(await db.query('SELECT event_id FROM event_claims WHERE event_id = $1', [eventId])).toHaveLength(1);
  });

  it('a refund.updated becomes a refund row', async () => {
    const eventId = await send(fixtureBody('refund.updated.json'));
    expect(await settled(eventId)).toMatchObject({ status: 'processed', outcome: 'applied' });
    const [refund] = await db.query('SELECT * FROM refunds WHERE id = $1', [SAMPLE_REFUNDS[0]!.id]);
    expect(refund).toMatchObject({
      payment_id: PAYMENT_ID,
      status: 'COMPLETED',
      amount: '500',
      version: 7,
      reason: 'Customer changed their mind',
    });
  });

  it('a legacy v1 PAYMENT_UPDATED retrieves the payment by entity_id and applies it', async () => {
    const id = 'pay_legacy_v1';
    fake.put('payment', { ...PAYMENT, id, version: 5 });
    const eventId = await send(Buffer.from(fixtureBody('v1.PAYMENT_UPDATED.json').toString().replace(PAYMENT_ID, id)));
    expect(eventId).toMatch(/^v1:/);
    expect(await settled(eventId)).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(fake.requestCount(id)).toBe(1);
    expect(await db.query('SELECT version, last_event_id FROM payments WHERE id = $1', [id])).toEqual([
      { version: 5, last_event_id: eventId },
    ]);
  });

  it('webhooks.test_notification names no object: ignored with the reason, without any API call', async () => {
    const eventId = await send(fixtureBody('webhooks.test_notification.json'));
    expect(await settled(eventId)).toMatchObject({
      status: 'ignored',
      outcome: expect.stringMatching(/^ignored: .*test/),
    });
    expect(fake.requestCount()).toBe(0);
  });

  it('customer.created: the customer is retrieved and mirrored in square_objects', async () => {
    fake.put('customer', {
      id: 'Cst9KdQ2mXv7Lp4NzRb1TyWg',
      given_name: 'Ada',
      version: 4,
      updated_at: '2026-10-04T17:50:00Z',
    });
    const eventId = await send(fixtureBody('customer.created.json'));
    expect(await settled(eventId)).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(
      await db.query(
        'SELECT object_type, object_id, merchant_id, version, source, deleted, data FROM square_objects WHERE object_id = $1',
        ['Cst9KdQ2mXv7Lp4NzRb1TyWg'],
      ),
    ).toEqual([
      {
        object_type: 'customer',
        object_id: 'Cst9KdQ2mXv7Lp4NzRb1TyWg',
        merchant_id: 'ML7Q2XK4ZP1N9',
        version: '4',
        source: 'api',
        deleted: false,
        data: { id: 'Cst9KdQ2mXv7Lp4NzRb1TyWg', given_name: 'Ada', version: 4, updated_at: '2026-10-04T17:50:00Z' },
      },
    ]);
  });

  it('versions delivered newest-first: an older retrieval never replaces a newer row', async () => {
    const id = 'pay_out_of_order';
    const version = (v: number) => ({
      ...PAYMENT,
      id,
      version: v,
      status: v === 3 ? 'COMPLETED' : 'APPROVED',
      updated_at: `2026-10-02T14:0${v}:00.000Z`,
    });
    const outcomes: unknown[] = [];
    for (const v of [3, 2, 1]) {
      fake.put('payment', version(v));
      const eventId = await send(paymentEventBody(`ooo-v${v}`, id, v));
      outcomes.push((await settled(eventId)).outcome);
    }
    expect(outcomes).toEqual(['applied', 'unchanged', 'unchanged']);
    expect(await db.query('SELECT version, status, last_event_id FROM payments WHERE id = $1', [id])).toEqual([
      { version: 3, status: 'COMPLETED', last_event_id: 'ooo-v3' },
    ]);
  });

  it('versions delivered oldest-first: each newer retrieval replaces the row', async () => {
    const id = 'pay_in_order';
    const outcomes: unknown[] = [];
    for (const v of [1, 2, 3]) {
      fake.put('payment', {
        ...PAYMENT,
        id,
        version: v,
        status: v === 3 ? 'COMPLETED' : 'APPROVED',
        updated_at: `2026-10-02T14:0${v}:00.000Z`,
      });
      const eventId = await send(paymentEventBody(`in-order-v${v}`, id, v));
      outcomes.push((await settled(eventId)).outcome);
    }
    expect(outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(await db.query('SELECT version, status, last_event_id FROM payments WHERE id = $1', [id])).toEqual([
      { version: 3, status: 'COMPLETED', last_event_id: 'in-order-v3' },
    ]);
  });

  it('without versions, a later updated_at replaces the row', async () => {
    const id = 'pay_no_version_in_order';
    for (const [minute, eventId] of [
      [10, 'nov-in-order-early'],
      [30, 'nov-in-order-late'],
    ] as const) {
      fake.put('payment', { ...PAYMENT, id, version: undefined, updated_at: `2026-10-02T15:${minute}:00.000Z` });
      expect(await settled(await send(paymentEventBody(eventId, id)))).toMatchObject({ outcome: 'applied' });
    }
    const [row] = await db.query<{ square_updated_at: Date; last_event_id: string }>(
      'SELECT square_updated_at, last_event_id FROM payments WHERE id = $1',
      [id],
    );
    expect(row!.square_updated_at.toISOString()).toBe('2026-10-02T15:30:00.000Z');
    expect(row!.last_event_id).toBe('nov-in-order-late');
  });

  it('without versions, the later updated_at wins', async () => {
    const id = 'pay_no_version';
    const at = (minute: number) => ({
      ...PAYMENT,
      id,
      version: undefined,
      updated_at: `2026-10-02T15:${minute}:00.000Z`,
    });
    for (const [minute, eventId] of [
      [30, 'nov-late'],
      [10, 'nov-early'],
    ] as const) {
      fake.put('payment', at(minute));
      await settled(await send(paymentEventBody(eventId, id)));
    }
    const [row] = await db.query<{ square_updated_at: Date; version: number | null }>(
      'SELECT square_updated_at, version FROM payments WHERE id = $1',
      [id],
    );
    expect(row!.version).toBeNull();
    expect(row!.square_updated_at.toISOString()).toBe('2026-10-02T15:30:00.000Z');
  });

  it('429 twice, then success: processed, with the failed attempts recorded', async () => {
    fake.fail({ id: PAYMENT_ID, status: 429, times: 2, retryAfterSeconds: 0 });
    const eventId = await send(paymentEventBody('rate-limited-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'processed',
      attempts: 3,
      last_error: expect.stringContaining('429'),
    });
    expect(fake.requestCount(PAYMENT_ID)).toBe(3);
  });

  it('500 forever: dead-lettered after JOB_ATTEMPTS, listed in the dead-letter queue; replay after recovery processes it', async () => {
    fake.fail({ id: PAYMENT_ID, status: 500 });
    const eventId = await send(paymentEventBody('always-500'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'attempts_exhausted',
      attempts: 3,
      last_error: expect.stringContaining('500'),
    });
    expect(fake.requestCount(PAYMENT_ID)).toBe(3);
    // Listed in the dead-letter queue right after the row is marked (Postgres first).
    const dlq = await eventually(
      () => deadLetterQueue.getJob(jobIdForEvent(eventId)),
      5000,
      'the dead-letter queue entry',
    );
    expect(dlq).toMatchObject({ name: DEAD_LETTER_JOBS.deadLettered, data: { eventId, reason: 'attempts_exhausted' } });

    fake.reset(); // Square recovers
    const run = await replay([eventId]);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`replayed ${eventId}`) });
    expect(await settled(eventId)).toMatchObject({ status: 'processed', replay_count: 1, dead_letter_reason: null });
    expect(await deadLetterQueue.getJob(jobIdForEvent(eventId))).toBeUndefined();
  });

  it('404: dead-lettered at once, without retries', async () => {
    const eventId = await send(paymentEventBody('missing-payment', 'pay_does_not_exist'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'square_404',
      attempts: 1,
    });
    expect(fake.requestCount('pay_does_not_exist')).toBe(1);
  });

  it('dead-lettering twice changes nothing, and replay leaves other statuses alone', async () => {
    const eventId = await send(paymentEventBody('missing-twice', 'pay_missing_twice'));
    const first = await settled(eventId);
    const { DeadLetterUseCase } = await import('../apps/worker/src/square-events/dead-letter.use-case.js');
    await worker.get(DeadLetterUseCase).execute(eventId, { reason: 'other', error: 'other', attempts: 9 });
    expect(await eventRow(eventId)).toEqual(first);

    const processed = await send(paymentEventBody('already-processed'));
    await settled(processed);
    const run = await replay([processed, 'no-such-event']);
    expect(run.code).toBe(1); // an id that is not in the inbox is an error, as in the admin API (404)
    expect(run.stdout).toContain(`skipped ${processed} (not dead-lettered, or its body was purged by retention)`);
    expect(run.stderr).toContain('events: no event no-such-event in the inbox');
    expect(run.stdout).toContain('0 replayed, 1 skipped, 1 not found, 0 failed');
    expect((await eventRow(processed))!.status).toBe('processed');
  });

  it('replay --dead-lettered replays every dead-lettered event', async () => {
    fake.fail({ status: 404 });
    const ids = [
      await send(paymentEventBody('bulk-1', 'pay_bulk_1')),
      await send(paymentEventBody('bulk-2', 'pay_bulk_2')),
    ];
    for (const id of ids) expect(await settled(id)).toMatchObject({ status: 'dead_lettered' });
    fake.reset();
    fake.put('payment', { ...PAYMENT, id: 'pay_bulk_1' });
    fake.put('payment', { ...PAYMENT, id: 'pay_bulk_2' });
    const run = await replay(['--dead-lettered']);
    expect(run.code).toBe(0);
    for (const id of ids) {
      expect(run.stdout).toContain(`replayed ${id}`);
      expect(await settled(id)).toMatchObject({ status: 'processed' });
    }
    // Processed now, so a second run leaves them alone.
    const again = await replay(['--dead-lettered']);
    for (const id of ids) expect(again.stdout).not.toContain(`replayed ${id}`);
  });

  it('the events CLI: strict arguments (exit 2), --help everywhere (exit 0)', async () => {
    const events = (args: string[]) =>
      runNode('dist/apps/cli/src/events.main.js', args, { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix });
    for (const args of [['replay'], ['replay', '--dead-letterd'], ['purge']]) {
      const run = await events(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(/^events: .+\nRun `npm run events -- --help` for usage\.\n$/);
    }
    for (const args of [['--help'], ['replay', '--help'], []]) {
      const run = await events(args);
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      expect(run.stdout).toContain('replay --dead-lettered');
    }
  });
});

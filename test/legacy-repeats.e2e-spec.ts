import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS, fixtureBody } from '@app/testing';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { NOTIFICATION_URL, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const SECRET = `whsec_${Buffer.from('legacy'.padEnd(32, '.')).toString('base64')}`;
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const PAYMENT_ID = 'pay_v1_repeated';
// One captured legacy v1 notification: signed (HMAC-SHA1 over URL + body), no id, no version.
const BODY = Buffer.from(fixtureBody('v1.PAYMENT_UPDATED.json').toString().replace(String(PAYMENT.id), PAYMENT_ID));

// The team's handler: one row per run, so that a second application shows as a second row.
const HANDLER = `export default [{ name: 'recorder', eventTypes: ['PAYMENT_UPDATED'], async handle({ event, object, sql }) {
  await sql('INSERT INTO handled (event_id, version) VALUES ($1, $2)', [event.id, object?.version ?? null]);
} }];`;

// square-initial-delivery-timestamp is not signed: anyone holding one body can send it with any.
describe('legacy v1: one signed body cannot become many applied events', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess | undefined;
  let dir: string;
  const receiver = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('legacy_repeats');
    prefix = uniqueName('q');
    await db.query('CREATE TABLE handled (event_id text, version int)');
    await receiver.listen();
    dir = mkdtempSync(join(tmpdir(), 'legacy-repeats-'));
    writeFileSync(join(dir, 'recorder.mjs'), HANDLER);
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:
  - name: main
    url: ${receiver.url}
    secret: \${MAIN_WEBHOOK_SECRET}
    eventTypes: ['*']
`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token' });
    fake.put('payment', { ...PAYMENT, id: PAYMENT_ID, version: 3 });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY], allowLegacySha1: true }));
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await receiver.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const deliver = async (timestamp: string) => {
    const res = await ingress.post(BODY, {
      ...signedHeaders(BODY, KEY, NOTIFICATION_URL, 'sha1'),
      'square-initial-delivery-timestamp': timestamp,
    });
    expect(res.status).toBe(200);
    return { status: String(res.body.status), eventId: String(res.body.eventId) };
  };
  const settled = (eventId: string) =>
    eventually(
      async () => {
        const [row] = await db.query<{ status: string; outcome: string | null }>(
          'SELECT status, outcome FROM webhook_events WHERE event_id = $1',
          [eventId],
        );
        return row && row.status !== 'received' ? row : undefined;
      },
      20_000,
      `event ${eventId} to settle`,
    );
  const handled = () =>
    db.query<{ event_id: string; version: number }>('SELECT event_id, version FROM handled ORDER BY version');
  const deliveries = (eventId: string) => db.query('SELECT 1 FROM forward_deliveries WHERE event_id = $1', [eventId]);

  it('three timestamps while the first is unfinished: one event, one Square fetch, one handler run, one forward', async () => {
    // No worker yet: the first event stays unfinished while the repeats arrive.
    const answers = [
      await deliver('2026-10-02T14:05:42Z'),
      await deliver('2026-10-02T14:06:42Z'),
      await deliver('2026-10-02T14:07:42Z'),
    ];
    expect(answers.map((a) => a.status)).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(new Set(answers.map((a) => a.eventId)).size).toBe(1); // each answer names the one event
    expect(await db.query('SELECT event_id, delivery_count FROM webhook_events')).toEqual([
      { event_id: answers[0]!.eventId, delivery_count: 3 },
    ]);

    worker = await spawnApp(
      'worker',
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        SQUARE_EVENT_HANDLERS: join(dir, 'recorder.mjs'),
        FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
        MAIN_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: 'warn',
      },
      'WORKER_PORT',
    );
    expect(await settled(answers[0]!.eventId)).toEqual({ status: 'processed', outcome: 'applied' });
    expect(fake.requestCount(PAYMENT_ID)).toBe(1);
    expect(await handled()).toEqual([{ event_id: answers[0]!.eventId, version: 3 }]);
    await eventually(async () => receiver.received.length === 1 || undefined, 20_000, 'the forward');
  });

  it('the same body once the first is finished, the object unchanged at Square: captured, but nothing applied nor forwarded', async () => {
    const repeat = await deliver('2026-10-02T15:00:00Z');
    expect(repeat.status).toBe('accepted');
    expect(await settled(repeat.eventId)).toEqual({ status: 'processed', outcome: 'duplicate' });
    expect(await handled()).toHaveLength(1);
    expect(await deliveries(repeat.eventId)).toEqual([]);
    const [payment] = await db.query<{ version: number; last_event_id: string }>(
      'SELECT version, last_event_id FROM payments WHERE id = $1',
      [PAYMENT_ID],
    );
    expect(payment).toMatchObject({ version: 3 });
    expect(payment!.last_event_id).not.toBe(repeat.eventId);
  });

  it('the same body after the payment changed at Square: applied once more, and forwarded', async () => {
    fake.put('payment', {
      ...PAYMENT,
      id: PAYMENT_ID,
      version: 4,
      status: 'COMPLETED',
      updated_at: '2026-10-02T15:30:00.000Z',
    });
    const update = await deliver('2026-10-02T15:30:01Z');
    expect(await settled(update.eventId)).toEqual({ status: 'processed', outcome: 'applied' });
    expect((await handled()).map((h) => h.version)).toEqual([3, 4]);
    expect(await deliveries(update.eventId)).toHaveLength(1);
    await eventually(async () => receiver.received.length === 2 || undefined, 20_000, 'the second forward');
    // Its repeat, again unchanged: nothing more.
    const again = await deliver('2026-10-02T15:31:00Z');
    expect(await settled(again.eventId)).toEqual({ status: 'processed', outcome: 'duplicate' });
    expect(await handled()).toHaveLength(2);
    expect(await deliveries(again.eventId)).toEqual([]);
  });
});

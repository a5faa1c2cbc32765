import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const SECRET = `whsec_${Buffer.from('handler-sql'.padEnd(32, '.')).toString('base64')}`;

// A team handler that tries, as a careless (or clever) one would, to step out of the event's
// transaction, to leave something in the pooled connection's session, or to change the event.
// Every event records the connection's search_path, so a session left changed shows in the next.
// It writes with qualified names (public.handled): its own search_path must not stop it.
const HANDLER = `
const record = (sql, id, note) => sql('INSERT INTO public.handled (event_id, note) VALUES ($1, $2)', [id, note]);
export default [{
  name: 'escaper',
  eventTypes: ['payment.*'],
  async handle({ event, object, sql }) {
    const id = event.id;
    await record(sql, id, 'search_path ' + (await sql("SELECT current_setting('search_path') AS p")).rows[0].p);
    if (id.startsWith('commit-')) {
      await sql('COMMIT');
      await record(sql, id, 'after the commit');
      throw new Error('failed after its commit');
    }
    if (id.startsWith('caught-')) {
      // The refusal caught and ignored: the event fails all the same.
      await sql('/* end it */ cOmMiT').catch(() => undefined);
      await record(sql, id, 'after the caught refusal');
    }
    if (id.startsWith('set-')) await sql('SET search_path = nowhere');
    if (id.startsWith('setconfig-')) await sql("SELECT set_config('search_path', 'public, nowhere', false)");
    if (id.startsWith('two-')) await sql("INSERT INTO public.handled (event_id, note) VALUES ('" + id + "', 'first'); INSERT INTO public.handled (event_id, note) VALUES ('" + id + "', 'second')");
    if (id.startsWith('mutate-')) {
      for (const [what, change] of [
        ['payload', () => { event.payload.data.object.payment.status = 'FAILED'; }],
        ['payload key', () => { event.payload.forged = true; }],
        ['event type', () => { event.type = 'refund.updated'; }],
        ['object', () => { object.status = 'FAILED'; }],
      ]) {
        try { change(); await record(sql, id, what + ' changed'); } catch (err) { await record(sql, id, what + ' ' + err.name); }
      }
    }
  },
}];`;

describe("ctx.sql: one statement, inside the event's transaction, never out of it", () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  const receiver = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    db = await createTestDatabase('handler_sql');
    await db.query('CREATE TABLE handled (event_id text, note text)');
    prefix = uniqueName('q');
    const dir = mkdtempSync(join(tmpdir(), 'handler-sql-'));
    writeFileSync(join(dir, 'escaper.mjs'), HANDLER);
    await receiver.listen();
    writeFileSync(
      join(dir, 'destinations.yml'),
      `destinations:
  - name: team
    url: ${receiver.url}
    secret: ${SECRET}
    eventTypes: [payment.*]
`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await spawnApp(
      'worker',
      {
        DATABASE_URL: db.url,
        // Two connections: the next event most likely gets the one the last event returned (the pool reuses the last released).
        DATABASE_POOL_SIZE: '2',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        SQUARE_EVENT_HANDLERS: join(dir, 'escaper.mjs'),
        FORWARD_DESTINATIONS_FILE: join(dir, 'destinations.yml'),
        JOB_ATTEMPTS: '3',
        JOB_BACKOFF_MS: '50',
        JOB_LOCK_MS: '2000',
        LOG_LEVEL: 'warn',
      },
      'WORKER_PORT',
    );
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await receiver.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = (body: Buffer) => ingress.accepted(body, KEY);
  const settled = (eventId: string) =>
    eventually(
      async () => {
        const [row] = await db.query<Record<string, unknown>>(
          'SELECT status, attempts, last_error, dead_letter_reason FROM webhook_events WHERE event_id = $1',
          [eventId],
        );
        return row && row.status !== 'received' ? row : undefined;
      },
      20_000,
      `event ${eventId} to settle`,
    );
  const notes = async (eventId: string) =>
    (await db.query<{ note: string }>('SELECT note FROM handled WHERE event_id = $1 ORDER BY note', [eventId])).map(
      (r) => r.note,
    );
  const leftovers = async (eventId: string) => ({
    claims: (await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', [eventId])).length,
    deliveries: (await db.query('SELECT 1 FROM forward_deliveries WHERE event_id = $1', [eventId])).length,
    notes: await notes(eventId),
  });
  const nothingLeft = { claims: 0, deliveries: 0, notes: [] };
  // A plain event after a bad one: applied at once, on a connection whose session is as it was.
  const cleanNext = async (eventId: string) => {
    expect(await settled(await send(paymentEventBody(eventId)))).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await leftovers(eventId)).toEqual({ claims: 1, deliveries: 1, notes: ['search_path "$user", public'] });
  };

  it('COMMIT, then an INSERT, then a throw: refused at COMMIT, nothing committed, dead-lettered naming the handler', async () => {
    const eventId = await send(paymentEventBody('commit-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'handler_permanent',
      last_error: expect.stringMatching(/^handler "escaper" failed: ctx\.sql refuses COMMIT: /),
    });
    expect(await leftovers(eventId)).toEqual(nothingLeft);
    await cleanNext('after-commit-1');
  });

  it('a refusal the handler catches and ignores still fails the event, with nothing of it committed', async () => {
    const eventId = await send(paymentEventBody('caught-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      last_error: expect.stringMatching(/^handler "escaper" failed: ctx\.sql refuses COMMIT: /),
    });
    expect(await leftovers(eventId)).toEqual(nothingLeft);
  });

  it('SET without LOCAL is refused; the next event finds the session as it was', async () => {
    const eventId = await send(paymentEventBody('set-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      last_error: expect.stringMatching(/^handler "escaper" failed: ctx\.sql refuses SET without LOCAL: /),
    });
    expect(await leftovers(eventId)).toEqual(nothingLeft);
    await cleanNext('after-set-1');
  });

  it('set_config(…, false), which no keyword shows, commits; the connection goes back to the pool with its session reset', async () => {
    const eventId = await send(paymentEventBody('setconfig-1'));
    expect(await settled(eventId)).toMatchObject({ status: 'processed', attempts: 1 });
    await cleanNext('after-setconfig-1');
    await cleanNext('after-setconfig-2');
  });

  it('two statements in one call are refused (one statement per call, extended protocol); nothing committed', async () => {
    const eventId = await send(paymentEventBody('two-1'));
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      last_error:
        'handler "escaper" failed: ctx.sql runs one statement per call: cannot insert multiple commands into a prepared statement',
    });
    expect(await leftovers(eventId)).toEqual(nothingLeft);
    await cleanNext('after-two-1');
  });

  it('the event and the object are deep-frozen: a handler cannot change them, and the forward is what Square sent', async () => {
    const body = paymentEventBody('mutate-1');
    const eventId = await send(body);
    expect(await settled(eventId)).toMatchObject({ status: 'processed' });
    expect(await notes(eventId)).toEqual([
      'event type TypeError',
      'object TypeError',
      'payload TypeError',
      'payload key TypeError',
      'search_path "$user", public',
    ]);
    const [delivery] = await db.query<{ body: string }>('SELECT body FROM forward_deliveries WHERE event_id = $1', [
      eventId,
    ]);
    expect(JSON.parse(delivery!.body)).toMatchObject({
      type: 'payment.updated',
      data: { event: JSON.parse(body.toString()) },
    });
  });
});

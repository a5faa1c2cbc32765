import { Queue } from 'bullmq';
import { DEAD_LETTER_JOBS, QUEUES, jobIdForEvent } from '@app/queue';
import {
  ADMIN_MAIN as MAIN,
  JSON_CHANGE,
  basicAuthHeader as basic,
  callApp,
  storeInboxEvent,
  type Answer,
  type Call,
  type Json,
  type StoredEvent,
} from './support/admin.js';
import { runNode } from './support/cli.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';

const USER = 'ops';
const PASSWORD = 'correct horse: battery staple';

describe('admin: Bull Board and the admin API', () => {
  let db: TestDatabase;
  let prefix: string;
  let admin: AppProcess;
  let squareEvents: Queue;
  let deadLetters: Queue;

  beforeAll(async () => {
    db = await createTestDatabase('admin');
    prefix = uniqueName('q');
    admin = await spawnApp(MAIN, adminEnv({ ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD }), 'ADMIN_PORT');
    squareEvents = new Queue(QUEUES.squareEvents, { connection: { url: REDIS_URL }, prefix });
    deadLetters = new Queue(QUEUES.deadLetter, { connection: { url: REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await admin?.stop('SIGKILL');
    await squareEvents?.close();
    await deadLetters?.close();
    if (prefix) await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  function adminEnv(extra: Record<string, string>): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ADMIN_HOST: '127.0.0.1',
      ADMIN_USERNAME: '',
      ADMIN_PASSWORD: '',
      ...extra,
    };
  }

  const AUTH = { authorization: basic(USER, PASSWORD) };
  const call = (path: string, init: Call = {}, app = admin) => callApp(app, path, init);
  const get = (path: string) => call(path, { headers: AUTH });
  const post = (path: string) => call(path, { method: 'POST', headers: { ...AUTH, ...JSON_CHANGE } });
  const storeEvent = (eventId: string, e: StoredEvent = {}) => storeInboxEvent(db, eventId, e);
  const outbox = (eventId: string) => db.query('SELECT queue, generation FROM job_outbox WHERE ref = $1', [eventId]);
  const row = async (eventId: string) =>
    (
      await db.query<Json>(
        'SELECT status, attempts, replay_count, dead_letter_reason FROM webhook_events WHERE event_id = $1',
        [eventId],
      )
    )[0];

  describe('authentication', () => {
    it('answers 401 with a Basic challenge without credentials, on Bull Board, its API and the admin API', async () => {
      for (const path of [
        '/admin/queues',
        '/admin/queues/api/queues',
        '/admin/api/events',
        '/admin/api/events/x',
        '/somewhere-else',
      ]) {
        const res = await call(path);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="admin"');
        expect(res.text).not.toContain('square-events');
      }
    });

    it('answers 401 to a wrong password or user, logs it without the password, and changes nothing', async () => {
      await storeEvent('auth-dl', { status: 'dead_lettered', deadLetterReason: 'square_404' });
      // Each wrong attempt from its own address: five from one client would throttle it (admin-safety suite).
      let client = 10;
      for (const authorization of [
        basic(USER, 'not-the-password'),
        basic('mallory', PASSWORD),
        'Bearer abc',
        `Basic ${Buffer.from('x').toString('base64')}`,
      ]) {
        for (const [method, path] of [
          ['GET', '/admin/queues'],
          ['GET', '/admin/queues/api/queues'],
          ['GET', '/admin/api/events'],
          ['POST', '/admin/api/events/auth-dl/replay'],
          ['POST', '/admin/api/dead-letters/replay'],
          ['PUT', '/admin/queues/api/queues/pause'],
        ] as const) {
          const res = await call(path, {
            method,
            headers: { authorization, ...JSON_CHANGE },
            from: `127.0.0.${client++}`,
          });
          expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
          expect(res.headers.get('www-authenticate')).toBe('Basic realm="admin"');
        }
      }
      expect(await row('auth-dl')).toMatchObject({ status: 'dead_lettered', replay_count: 0 });
      expect(await outbox('auth-dl')).toEqual([]);
      expect(await squareEvents.isPaused()).toBe(false);
      const failures = admin
        .output()
        .split('\n')
        .filter((l) => l.includes('admin authentication failed'));
      expect(failures.some((l) => l.includes('"username":"ops"') && l.includes('"remoteAddress"'))).toBe(true);
      expect(failures.some((l) => l.includes('"username":"mallory"'))).toBe(true);
      expect(admin.output()).not.toContain('not-the-password');
      expect(admin.output()).not.toContain(PASSWORD);
    });

    it('lets the right credentials in: the Bull Board page and its API list both queues', async () => {
      const page = await get('/admin/queues');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('<base href="/admin/queues/"');
      const queues = await get('/admin/queues/api/queues');
      expect(queues.status).toBe(200);
      const names = (queues.json.queues as Json[]).map((q) => q.name);
      expect(names).toEqual(expect.arrayContaining([QUEUES.squareEvents, QUEUES.deadLetter]));
      expect(names).toHaveLength(2);
    });

    it('keeps the health probes open (they reveal up or down, nothing else)', async () => {
      expect((await call('/health/live')).status).toBe(200);
      const ready = await call('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.json).toMatchObject({ status: 'ok' });
    });
  });

  describe('GET /admin/api/events', () => {
    const T = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

    beforeAll(async () => {
      await storeEvent('list-1', { type: 'payment.created', status: 'processed', receivedAt: T(1) });
      await storeEvent('list-2', {
        type: 'payment.updated',
        status: 'dead_lettered',
        receivedAt: T(2),
        deadLetterReason: 'square_404',
        lastError: 'not found',
        attempts: 1,
      });
      // Three events received in the same millisecond: the event id breaks the tie.
      await storeEvent('list-3a', { type: 'refund.created', status: 'received', receivedAt: T(3) });
      await storeEvent('list-3b', { type: 'refund.created', status: 'ignored', receivedAt: T(3) });
      await storeEvent('list-3c', { type: 'payment.updated', status: 'processed', receivedAt: T(3) });
      await storeEvent('list-4', {
        type: 'payment.updated',
        status: 'dead_lettered',
        receivedAt: T(4),
        deadLetterReason: 'attempts_exhausted',
      });
      await storeEvent('list-5', { type: 'customer.created', status: 'ignored', receivedAt: T(5) });
    });

    const ids = (res: Answer) => (res.json.events as Json[]).map((e) => e.eventId);
    const inMay = 'receivedFrom=2024-05-01&receivedTo=2024-05-02';

    it('lists newest first, filtered by status, type and received time', async () => {
      expect(ids(await get(`/admin/api/events?${inMay}`))).toEqual([
        'list-5',
        'list-4',
        'list-3c',
        'list-3b',
        'list-3a',
        'list-2',
        'list-1',
      ]);
      expect(ids(await get(`/admin/api/events?${inMay}&status=dead_lettered`))).toEqual(['list-4', 'list-2']);
      expect(ids(await get(`/admin/api/events?${inMay}&status=ignored,received`))).toEqual([
        'list-5',
        'list-3b',
        'list-3a',
      ]);
      expect(ids(await get(`/admin/api/events?${inMay}&type=refund.created`))).toEqual(['list-3b', 'list-3a']);
      expect(ids(await get(`/admin/api/events?type=payment.updated&status=processed&${inMay}`))).toEqual(['list-3c']);
      // From inclusive, to exclusive.
      expect(ids(await get(`/admin/api/events?receivedFrom=${T(2)}&receivedTo=${T(4)}`))).toEqual([
        'list-3c',
        'list-3b',
        'list-3a',
        'list-2',
      ]);
      expect(ids(await get(`/admin/api/events?receivedFrom=2024-05-01T12:03:00%2B02:00&receivedTo=${T(4)}`))).toEqual([
        'list-3c',
        'list-3b',
        'list-3a',
      ]);
      expect(ids(await get('/admin/api/events?receivedTo=2024-05-01'))).toEqual([]);
    });

    it('returns summaries with the fields an operator needs', async () => {
      const [event] = (await get(`/admin/api/events?${inMay}&status=dead_lettered&limit=1`)).json.events as Json[];
      expect(event).toEqual({
        eventId: 'list-4',
        eventType: 'payment.updated',
        status: 'dead_lettered',
        source: 'webhook',
        outcome: null,
        attempts: 0,
        lastError: null,
        earlierError: null,
        deadLetterReason: 'attempts_exhausted',
        replayCount: 0,
        deliveryCount: 1,
        receivedAt: T(4),
        processedAt: null,
        deadLetteredAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('pages with a cursor: every event exactly once, in order, ties included', async () => {
      const seen: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Answer = await get(
          `/admin/api/events?${inMay}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect((res.json.events as Json[]).length).toBeLessThanOrEqual(2);
        seen.push(...ids(res));
        cursor = res.json.nextCursor as string | null;
        pages += 1;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['list-5', 'list-4', 'list-3c', 'list-3b', 'list-3a', 'list-2', 'list-1']);
      expect(pages).toBe(4);
      // A full last page still says there is nothing more.
      expect((await get(`/admin/api/events?${inMay}&status=dead_lettered&limit=2`)).json.nextCursor).toBeNull();
    });

    it('lists the events recovered from the Events API (source=events_api): the webhook gap', async () => {
      await storeEvent('gap-1', { receivedAt: '2024-06-01T10:00:00Z' });
      await storeEvent('gap-2', { receivedAt: '2024-06-01T10:01:00Z' });
      await db.query("UPDATE webhook_events SET source = 'events_api', delivery_count = 0 WHERE event_id = 'gap-1'");
      const res = await get('/admin/api/events?source=events_api&receivedFrom=2024-06-01');
      expect((res.json.events as Json[]).map((e) => [e.eventId, e.source, e.deliveryCount])).toEqual([
        ['gap-1', 'events_api', 0],
      ]);
    });

    it('filters by merchant, by object id, and by what the payload contains (jsonb @>)', async () => {
      await storeEvent('flt-1', { receivedAt: '2024-07-01T10:00:00Z' });
      await storeEvent('flt-2', { receivedAt: '2024-07-01T10:01:00Z' });
      await db.query(`UPDATE webhook_events SET merchant_id = 'MFILTER',
        payload = jsonb_set(jsonb_set(payload, '{data,id}', '"pay_filter"'), '{data,object,payment,status}', '"FAILED"') WHERE event_id = 'flt-2'`);
      const ids = async (query: string) =>
        (
          (await get(`/admin/api/events?receivedFrom=2024-07-01&receivedTo=2024-07-02&${query}`)).json.events as Json[]
        ).map((e) => e.eventId);
      expect(await ids('merchant=MFILTER')).toEqual(['flt-2']);
      expect(await ids('objectId=pay_filter')).toEqual(['flt-2']);
      expect(
        await ids(`contains=${encodeURIComponent('{"data":{"object":{"payment":{"status":"FAILED"}}}}')}`),
      ).toEqual(['flt-2']);
      expect(await ids(`contains=${encodeURIComponent('{"type":"payment.updated"}')}`)).toEqual(['flt-2', 'flt-1']);
    });

    it('answers 400 naming the bad parameter', async () => {
      for (const [query, named] of [
        ['status=failed', 'status'],
        ['status=', 'status'],
        ['receivedFrom=yesterday', 'receivedFrom'],
        ['receivedTo=2024-05-01T10:00:00', 'receivedTo'], // no zone
        ['receivedFrom=2024-02-30', 'receivedFrom'],
        ['receivedFrom=2024-05-02&receivedTo=2024-05-01', 'receivedFrom'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
        ['cursor=not-a-cursor', 'cursor'],
        ['stauts=dead_lettered', 'stauts'],
        ['source=lost', 'source'],
        ['contains=not-json', 'contains'],
        ['contains=[1,2]', 'contains'],
      ] as const) {
        const res = await get(`/admin/api/events?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.json).toMatchObject({ statusCode: 400, error: 'Bad request' });
        expect(res.json.message).toContain(named);
      }
    });
  });

  describe('GET /admin/api/events/:eventId', () => {
    it('shows one event: raw body, delivery headers, status, errors, timestamps', async () => {
      const body = await storeEvent('v1:show-1', {
        status: 'dead_lettered',
        deadLetterReason: 'square_404',
        lastError: 'Square answered 404',
        attempts: 3,
      });
      const res = await get(`/admin/api/events/${encodeURIComponent('v1:show-1')}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        eventId: 'v1:show-1',
        eventType: 'payment.updated',
        merchantId: 'ML7Q2XK4ZP1N9',
        signatureAlgorithm: 'sha256',
        status: 'dead_lettered',
        outcome: null,
        attempts: 3,
        lastError: 'Square answered 404',
        deadLetterReason: 'square_404',
        replayCount: 0,
        deliveryCount: 1,
        delivery: {
          environment: 'Sandbox',
          initialDeliveryAt: '2024-05-01T09:59:58.000Z',
          retryNumber: 1,
          retryReason: 'http_timeout',
          lastDeliveredAt: expect.any(String),
        },
        rawBody: body.toString('utf8'),
      });
      for (const key of ['receivedAt', 'updatedAt', 'deadLetteredAt'])
        expect(Date.parse(String(res.json[key]))).not.toBeNaN();
    });

    it("a processed event's error of an earlier attempt is history (earlierError), not its current error", async () => {
      await storeEvent('history-1', { status: 'processed', lastError: 'Square answered 503', attempts: 2 });
      const res = await get('/admin/api/events/history-1');
      expect(res.json).toMatchObject({
        status: 'processed',
        attempts: 2,
        lastError: null,
        earlierError: 'Square answered 503',
      });
    });

    it('answers 404 for an unknown event', async () => {
      const res = await get('/admin/api/events/no-such-event');
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ statusCode: 404, message: expect.stringContaining('no-such-event') });
    });
  });

  describe('replay', () => {
    it('replays one dead-lettered event: back to received, a job of a new generation in the outbox, out of the dead-letter queue', async () => {
      await storeEvent('replay-1', { status: 'dead_lettered', deadLetterReason: 'square_404', attempts: 1 });
      await deadLetters.add(
        DEAD_LETTER_JOBS.deadLettered,
        { eventId: 'replay-1', reason: 'square_404' },
        { jobId: jobIdForEvent('replay-1') },
      );
      const board = await get('/admin/queues/api/queues');
      const dlq = (board.json.queues as Json[]).find((q) => q.name === QUEUES.deadLetter) as {
        counts: Record<string, number>;
      };
      expect(dlq.counts.waiting).toBeGreaterThanOrEqual(1); // Bull Board sees this app's prefix

      const res = await post('/admin/api/events/replay-1/replay');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ eventId: 'replay-1', result: 'replayed' });
      expect(await row('replay-1')).toEqual({
        status: 'received',
        attempts: 0,
        replay_count: 1,
        dead_letter_reason: null,
      });
      expect(await outbox('replay-1')).toEqual([{ queue: QUEUES.squareEvents, generation: 1 }]);
      expect(await deadLetters.getJob(jobIdForEvent('replay-1'))).toBeUndefined();
      expect(admin.output()).toMatch(/"message":"admin replay".*"user":"ops".*"eventId":"replay-1"/);
    });

    it('answers 409 for an event that is not dead-lettered, and 404 for an unknown one, changing nothing', async () => {
      await storeEvent('replay-processed', { status: 'processed' });
      const conflict = await post('/admin/api/events/replay-processed/replay');
      expect(conflict.status).toBe(409);
      expect(conflict.json.message).toContain('processed');
      expect(await row('replay-processed')).toMatchObject({ status: 'processed', replay_count: 0 });
      expect(await outbox('replay-processed')).toEqual([]);
      expect((await post('/admin/api/events/replay-unknown/replay')).status).toBe(404);
    });

    it('replays every dead-lettered event', async () => {
      const before = (
        await db.query<{ event_id: string }>("SELECT event_id FROM webhook_events WHERE status = 'dead_lettered'")
      ).map((r) => r.event_id);
      await storeEvent('bulk-1', { status: 'dead_lettered', deadLetterReason: 'attempts_exhausted' });
      await storeEvent('bulk-2', { status: 'dead_lettered', deadLetterReason: 'invalid_event' });
      const res = await post('/admin/api/dead-letters/replay');
      expect(res.status).toBe(200);
      expect((res.json.replayed as string[]).sort()).toEqual([...before, 'bulk-1', 'bulk-2'].sort());
      expect(res.json).toMatchObject({ skipped: [], failed: [] });
      for (const id of ['bulk-1', 'bulk-2']) {
        expect(await row(id)).toMatchObject({ status: 'received', replay_count: 1 });
        expect(await outbox(id)).toEqual([{ queue: QUEUES.squareEvents, generation: 1 }]);
      }
      expect((await get('/admin/api/events?status=dead_lettered')).json.events).toEqual([]);
      expect((await post('/admin/api/dead-letters/replay')).json).toEqual({
        replayed: [],
        skipped: [],
        notFound: [],
        failed: [],
        matched: 0,
        more: false,
      });
    });

    it('replays the dead-lettered events a filter matches; a dry run only counts', async () => {
      await storeEvent('by-type-1', {
        status: 'dead_lettered',
        type: 'refund.updated',
        receivedAt: '2024-08-01T10:00:00Z',
      });
      await storeEvent('by-type-2', {
        status: 'dead_lettered',
        type: 'refund.updated',
        receivedAt: '2024-08-01T11:00:00Z',
      });
      await storeEvent('by-type-3', {
        status: 'dead_lettered',
        type: 'payment.updated',
        receivedAt: '2024-08-01T12:00:00Z',
      });
      const dry = await post('/admin/api/dead-letters/replay?type=refund.updated&receivedFrom=2024-08-01&dryRun=true');
      expect(dry.json).toMatchObject({ matched: 2, replayed: [], more: false });
      expect(await row('by-type-1')).toMatchObject({ status: 'dead_lettered' });
      const run = await post('/admin/api/dead-letters/replay?type=refund.updated&receivedFrom=2024-08-01');
      expect(run.json).toMatchObject({ matched: 2, replayed: ['by-type-1', 'by-type-2'], more: false });
      expect(await row('by-type-3')).toMatchObject({ status: 'dead_lettered' });
      expect((await post('/admin/api/dead-letters/replay?stauts=x')).status).toBe(400);
    });
  });

  describe('startup', () => {
    it('refuses to start without ADMIN_USERNAME and ADMIN_PASSWORD, saying so without a stack trace', async () => {
      const run = await runNode(MAIN, [], {
        ...adminEnv({}),
        DATABASE_URL: 'postgresql://user:pw-secret@127.0.0.1:1/x',
        ADMIN_AUTH_DISABLED: '',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('ADMIN_USERNAME is required');
      expect(run.stderr).toContain('ADMIN_PASSWORD is required');
      expect(run.stderr).not.toContain('pw-secret');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('starts without credentials when ADMIN_AUTH_DISABLED=true, open to this machine, and stops cleanly on SIGTERM', async () => {
      const open = await spawnApp(MAIN, adminEnv({ ADMIN_AUTH_DISABLED: 'true' }), 'ADMIN_PORT');
      try {
        expect((await call('/admin/api/events?limit=1', {}, open)).status).toBe(200);
        expect((await call('/admin/queues', {}, open)).status).toBe(200);
        expect(
          (await call('/admin/api/events?limit=1', { headers: { host: `localhost:${open.port}` } }, open)).status,
        ).toBe(200);
        // A page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) gets nothing.
        const rebound = await call(
          '/admin/api/events?limit=1',
          { headers: { host: `rebound.example:${open.port}` } },
          open,
        );
        expect(rebound.status).toBe(403);
        expect(rebound.text).not.toContain('events');
        expect(open.output()).toContain('ADMIN_AUTH_DISABLED=true');
      } finally {
        expect(await open.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      }
    });
  });
});

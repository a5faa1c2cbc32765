import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Queue } from 'bullmq';
import { QUEUES } from '@app/queue';
import {
  ADMIN_MAIN as MAIN,
  JSON_CHANGE,
  basicAuthHeader as basic,
  callApp,
  type Answer,
  type Call,
  type Json,
} from './support/admin.js';
import { runNode } from './support/cli.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';

// Issue 21, part 5: the admin app stays home. Loopback by default, throttled logins, changes only
// from its own pages or from scripts, security headers on every answer, a read-only Bull Board.

const USER = 'ops';
const PASSWORD = 'correct horse: battery staple';
const AUTH = { authorization: basic(USER, PASSWORD) };
const WRONG = { authorization: basic(USER, 'not-the-password') };

/** Connects to a TCP port: what someone on the network would get. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** An address of this machine that is not loopback, if it has one. */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
}

describe('admin: the admin app stays home', () => {
  let db: TestDatabase;
  let prefix: string;
  let admin: AppProcess;
  let squareEvents: Queue;

  beforeAll(async () => {
    db = await createTestDatabase('admin_safety');
    prefix = uniqueName('q');
    admin = await spawnApp(MAIN, adminEnv({ ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD }), 'ADMIN_PORT');
    squareEvents = new Queue(QUEUES.squareEvents, { connection: { url: REDIS_URL }, prefix });
  });

  afterAll(async () => {
    await admin?.stop('SIGKILL');
    await squareEvents?.close();
    if (prefix) await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  function adminEnv(extra: Record<string, string>): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ADMIN_HOST: '',
      ADMIN_USERNAME: '',
      ADMIN_PASSWORD: '',
      ADMIN_AUTH_DISABLED: '',
      NODE_ENV: '',
      ...extra,
    };
  }

  const call = (path: string, init: Call = {}) => callApp(admin, path, init);
  /** A change to nothing: answered 404 once let through, so 403 can only be the refusal. */
  const change = (headers: Record<string, string>) =>
    call('/admin/api/events/no-such-event/replay', { method: 'POST', headers: { ...AUTH, ...headers } });

  describe('where it listens', () => {
    it('binds to 127.0.0.1 when ADMIN_HOST is not set: nothing on the network reaches it', async () => {
      // The line is written as the port opens: wait for it to come through the pipe.
      const line = `listening on 127.0.0.1:${admin.port}`;
      await admin.waitForOutput(line);
      expect(admin.output()).toContain(line);
      expect(await reachable('127.0.0.1', admin.port)).toBe(true);
      const address = networkAddress();
      if (address) expect(await reachable(address, admin.port)).toBe(false);
    });

    it('refuses ADMIN_AUTH_DISABLED=true on an address other than loopback, in one readable line', async () => {
      const run = await runNode(
        MAIN,
        [],
        adminEnv({ ADMIN_AUTH_DISABLED: 'true', ADMIN_HOST: '0.0.0.0', ADMIN_PORT: '1' }),
        15_000,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/ADMIN_AUTH_DISABLED .*ADMIN_HOST=0\.0\.0\.0/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('refuses a password shorter than 16 characters when NODE_ENV=production, without showing it', async () => {
      const run = await runNode(
        MAIN,
        [],
        adminEnv({ NODE_ENV: 'production', ADMIN_USERNAME: USER, ADMIN_PASSWORD: 'fifteen-chars!!', ADMIN_PORT: '1' }),
        15_000,
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/ADMIN_PASSWORD must be at least 16 characters .*NODE_ENV=production/);
      expect(run.stderr).not.toContain('fifteen-chars!!');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });

  describe('failed logins', () => {
    it('throttles a client after five wrong passwords: 429 with Retry-After, even for the right one; other clients are not affected', async () => {
      const from = '127.0.0.21';
      for (let i = 0; i < 5; i++) expect((await call('/admin/api/events', { headers: WRONG, from })).status).toBe(401);
      const throttled = await call('/admin/api/events', { headers: WRONG, from });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(throttled.json).toMatchObject({ statusCode: 429, message: expect.stringContaining('Retry-After') });
      // The password is not even compared while the client waits: guessing gains nothing.
      expect((await call('/admin/api/events', { headers: AUTH, from })).status).toBe(429);
      expect((await call('/admin/queues', { headers: AUTH, from })).status).toBe(429);
      expect((await call('/admin/api/events', { headers: AUTH, from: '127.0.0.22' })).status).toBe(200);
      expect((await call('/health/live', { from })).status).toBe(200);
      expect(admin.output()).toMatch(/"message":"admin logins throttled".*"remoteAddress":"127\.0\.0\.21"/);
    });

    it('forgets the failures of a client that then signs in', async () => {
      const from = '127.0.0.23';
      for (let i = 0; i < 4; i++) expect((await call('/admin/api/events', { headers: WRONG, from })).status).toBe(401);
      expect((await call('/admin/api/events', { headers: AUTH, from })).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await call('/admin/api/events', { headers: WRONG, from })).status).toBe(401);
    });
  });

  describe('changes (anything but GET and HEAD)', () => {
    it('are refused without a sign of the same origin or a JSON content type, as a cross-site form would send them', async () => {
      for (const headers of [
        {},
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'multipart/form-data; boundary=x' },
        { 'content-type': 'application/jsonp' },
      ] as Array<Record<string, string>>) {
        const res = await change(headers);
        expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
        expect(res.json).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      }
    });

    it('are accepted from scripts with a JSON content type (curl, the CLIs)', async () => {
      expect((await change(JSON_CHANGE)).status).toBe(404);
      expect((await change({ 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(404);
    });

    it('are accepted when the browser says they come from the admin app itself', async () => {
      expect((await change({ 'sec-fetch-site': 'same-origin' })).status).toBe(404);
      expect((await change({ origin: `http://127.0.0.1:${admin.port}` })).status).toBe(404);
      expect((await change({ origin: `https://127.0.0.1:${admin.port}` })).status).toBe(404); // behind a TLS proxy
    });

    it('are refused when the browser says another site sent them, JSON or not', async () => {
      for (const headers of [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
        { 'sec-fetch-site': 'cross-site', ...JSON_CHANGE },
        { origin: 'http://evil.example', ...JSON_CHANGE },
        { origin: `http://127.0.0.1:${admin.port + 1}` },
        { origin: 'null', ...JSON_CHANGE },
      ] as Array<Record<string, string>>) {
        expect({ headers, status: (await change(headers)).status }).toEqual({ headers, status: 403 });
      }
      expect((await call('/admin/api/events', { headers: { ...AUTH, 'sec-fetch-site': 'cross-site' } })).status).toBe(
        200,
      );
    });

    it('answers no CORS preflight: another site cannot send JSON either', async () => {
      const preflight = await call('/admin/api/events/no-such-event/replay', {
        method: 'OPTIONS',
        headers: {
          ...AUTH,
          origin: 'http://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    });
  });

  describe('every answer', () => {
    it("carries the security headers and no X-Powered-By: Bull Board's, the API's, refusals and probes alike", async () => {
      const page = await call('/admin/queues', { headers: AUTH });
      const script = /src="(static\/js\/[^"]+)"/.exec(page.text)?.[1];
      expect(script).toBeDefined();
      const answers: Array<[string, Answer]> = [
        ['board page', page],
        ['board script', await call(`/admin/queues/${script}`, { headers: AUTH })],
        ['board API', await call('/admin/queues/api/queues', { headers: AUTH })],
        [
          'board change',
          await call(`/admin/queues/api/queues/${QUEUES.squareEvents}/pause`, {
            method: 'PUT',
            headers: { ...AUTH, ...JSON_CHANGE },
          }),
        ],
        ['admin API', await call('/admin/api/events', { headers: AUTH })],
        ['unknown path', await call('/nowhere', { headers: AUTH })],
        ['401', await call('/admin/api/events')],
        ['403', await change({})],
        ['probe', await call('/health/live')],
      ];
      for (const [what, res] of answers) {
        const headers = (name: string) => res.headers.get(name);
        expect({ what, csp: headers('content-security-policy') }).toEqual({
          what,
          csp: expect.stringContaining("frame-ancestors 'none'"),
        });
        expect({ what, csp: headers('content-security-policy') }).toEqual({
          what,
          csp: expect.stringContaining("script-src 'self'"),
        });
        expect({
          what,
          frame: headers('x-frame-options'),
          sniff: headers('x-content-type-options'),
          poweredBy: headers('x-powered-by'),
        }).toEqual({ what, frame: 'DENY', sniff: 'nosniff', poweredBy: null });
      }
      expect(answers[1]![1].status).toBe(200);
    });
  });

  describe('Bull Board', () => {
    const board = (method: string, path: string) =>
      call(`/admin/queues/api/queues${path}`, {
        method,
        headers: { ...AUTH, ...JSON_CHANGE, 'sec-fetch-site': 'same-origin' },
      });

    it('lists every queue read-only, so its pages offer no buttons', async () => {
      const queues = (await call('/admin/queues/api/queues', { headers: AUTH })).json.queues as Json[];
      expect(queues.map((q) => [q.name, q.readOnlyMode])).toEqual(
        expect.arrayContaining([
          [QUEUES.squareEvents, true],
          [QUEUES.deadLetter, true],
        ]),
      );
      expect(queues.every((q) => q.readOnlyMode === true)).toBe(true);
    });

    it('cannot pause, empty, clean, add to or retry a live queue, even from its own pages', async () => {
      await squareEvents.add('process-event', { eventId: 'board-1' }, { jobId: 'board-1' });
      const name = QUEUES.squareEvents;
      for (const [method, path] of [
        ['PUT', `/${name}/pause`],
        ['PUT', '/pause'],
        ['PUT', `/${name}/empty`],
        ['PUT', `/${name}/clean/waiting`],
        ['POST', `/${name}/add`],
        ['PUT', `/${name}/retry/failed`],
        ['PUT', `/${name}/obliterate`],
        ['PUT', `/${name}/board-1/clean`],
      ] as const) {
        const res = await board(method, path);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 405 });
      }
      expect(await squareEvents.isPaused()).toBe(false);
      expect(await squareEvents.getJobCounts('waiting')).toEqual({ waiting: 1 });
      expect(await squareEvents.getJob('board-1')).toBeDefined();
    });
  });
});

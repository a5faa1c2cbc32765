import { Redis } from 'ioredis';
import { FakeSquareServer } from '@app/testing';
import { buildTriggerEvent } from '../apps/cli/src/square/trigger-event.js';
import { startNode, type RunningNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { stopPipeline } from './support/pipeline.js';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL } from './support/redis.js';
import { freePort } from './support/servers.js';
import { signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const CLI = 'dist/apps/cli/src/square.main.js';

describe('square listen --forward-to: a temporary destination of the running pipeline', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  // No FORWARD_DESTINATIONS_FILE: the worker forwards to nothing until a listen registers.
  let worker: AppProcess;
  let redis: Redis;
  const started: RunningNode[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('listen');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: false });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await spawnApp(
      'worker',
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        FORWARD_BACKOFF_MS: '100',
        FORWARD_MAX_BACKOFF_MS: '500',
        LOG_LEVEL: 'warn',
      },
      'WORKER_PORT',
    );
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    for (const cli of started) cli.kill('SIGKILL');
    redis?.disconnect();
    await stopPipeline({ worker, ingress, fake, prefix });
    await db?.drop();
  });

  const listen = (...args: string[]) => {
    const cli = startNode(CLI, ['listen', ...args], { DATABASE_URL: db.url });
    started.push(cli);
    return cli;
  };

  /** Sends a realistic signed event of `type` through the ingress (its object seeded at the fake Square); resolves with its id. */
  const send = async (type: string): Promise<string> => {
    const event = buildTriggerEvent(type);
    if (event.seed) fake.put(event.seed.objectType, event.seed.object);
    const res = await ingress.post(event.body, signedHeaders(event.body, KEY));
    expect(res.status).toBe(200);
    return event.eventId;
  };

  const processed = (ids: string[]) =>
    eventually(
      async () => {
        const rows = await db.query("SELECT 1 FROM webhook_events WHERE event_id = ANY($1) AND status = 'processed'", [
          ids,
        ]);
        return rows.length === ids.length;
      },
      30_000,
      `${ids.length} event(s) processed`,
    );

  /** What is left of a destination in Postgres, by table. */
  const leftOf = async (name: string) => ({
    listen: (await db.query('SELECT 1 FROM listen_destinations WHERE name = $1', [name])).length,
    deliveries: (await db.query('SELECT 1 FROM forward_deliveries WHERE destination = $1', [name])).length,
    attempts: (await db.query('SELECT 1 FROM forward_attempts WHERE destination = $1', [name])).length,
    circuit: (await db.query('SELECT 1 FROM forward_destinations WHERE name = $1', [name])).length,
    outbox: (await db.query('SELECT 1 FROM job_outbox WHERE queue = $1', [`forward-${name}`])).length,
  });
  const nothing = { listen: 0, deliveries: 0, attempts: 0, circuit: 0, outbox: 0 };
  const queueKeys = (name: string) => redis.keys(`${prefix}:forward-${name}:*`);

  it('forwards the matching events processed while it runs, verified with the printed secret, one line per attempt; Ctrl-C leaves nothing behind', async () => {
    const port = await freePort();
    const cli = listen('--forward-to', `http://127.0.0.1:${port}/hooks/square`, '--events', 'payment.*');
    const [, name] = await cli.waitFor(
      /^destination (listen-[0-9a-f]{8}): forwarding payment\.\* to http:\/\/127\.0\.0\.1:\d+\/hooks\/square$/m,
    );
    const [, secret] = await cli.waitFor(
      /^signing secret \(Standard Webhooks; verify each request with it\): (whsec_\S+)$/m,
    );
    const receiver = new WebhookReceiver(secret!);
    receiver.port = port;
    await receiver.listen();
    // The first attempt of the second event fails: its retry is a line of its own.
    let refused = false;
    receiver.answer = (r) =>
      r.body.data.event_id === second && !refused ? ((refused = true), { status: 500 }) : { status: 200 };
    await cli.waitFor(/^ready: /m);

    const first = await send('payment.updated');
    const second = await send('payment.created');
    const ignored = await send('customer.created'); // not payment.*: processed, not forwarded
    const third = await send('payment.updated');
    await processed([first, second, ignored, third]);

    await eventually(
      async () => new Set(receiver.received.filter((r) => r.verified).map((r) => r.body.data.event_id)).size === 3,
      20_000,
      '3 verified deliveries',
    );
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(receiver.of(ignored)).toEqual([]);
    const line = (type: string, id: string, status: number, rest = '') =>
      new RegExp(`^\\S+Z ${type.replace('.', '\\.')} ${id} ${status} \\d+ ms${rest}`, 'm');
    for (const [type, id] of [
      ['payment.updated', first],
      ['payment.updated', third],
    ] as const)
      await cli.waitFor(line(type, id, 200));
    await cli.waitFor(
      line('payment.created', second, 500, ', will retry \\(destination listen-[0-9a-f]+ answered 500\\)$'),
    );
    await cli.waitFor(line('payment.created', second, 200, ' attempt 2$'));
    expect(cli.stdout().match(/^\S+Z \S+ \S+ \d+ \d+ ms/gm)).toHaveLength(4);
    expect(await leftOf(name!)).toMatchObject({ listen: 1, deliveries: 3, attempts: 4, circuit: 1 });

    cli.kill('SIGINT');
    const end = await cli.exited;
    expect(end.stderr).toBe('');
    expect(end.code).toBe(0);
    expect(end.stdout).toMatch(
      new RegExp(
        `^stopped: 3 event\\(s\\) forwarded, 3 delivered, 1 failed attempt\\(s\\); destination ${name} removed with its 3 deliveries$`,
        'm',
      ),
    );
    expect(await leftOf(name!)).toEqual(nothing);
    // The worker lets it go within its next poll: its queue is deleted from Redis.
    await eventually(async () => (await queueKeys(name!)).length === 0, 10_000, 'the queue deleted');

    // Events processed after it stopped go nowhere.
    const after = await send('payment.updated');
    await processed([after]);
    expect(await db.query('SELECT destination FROM forward_deliveries WHERE event_id = $1', [after])).toEqual([]);
    expect(receiver.of(after)).toEqual([]);
    await receiver.close();
  });

  it('a killed listen (kill -9) leaves a destination that the worker removes when its lease lapses', async () => {
    const receiver = new WebhookReceiver(`whsec_${Buffer.alloc(32, 1).toString('base64')}`);
    await receiver.listen();
    const cli = listen('--forward-to', receiver.url, '--secret', `whsec_${Buffer.alloc(32, 1).toString('base64')}`);
    const [, name] = await cli.waitFor(/^destination (listen-[0-9a-f]{8}):/m);
    await cli.waitFor(/^ready: /m);
    const before = await send('payment.updated');
    await eventually(async () => receiver.of(before).length === 1, 20_000, 'a delivery while it runs');
    expect(receiver.of(before)[0]!.verified).toBe(true);

    cli.kill('SIGKILL');
    await cli.exited;
    expect(await leftOf(name!)).toMatchObject({ listen: 1, deliveries: 1 });
    // Lease 15 s from its last renewal, every 3 s; the worker looks every second.
    await eventually(
      async () => JSON.stringify(await leftOf(name!)) === JSON.stringify(nothing),
      25_000,
      'the lapsed destination purged',
    );
    await eventually(async () => (await queueKeys(name!)).length === 0, 5000, 'the queue deleted');
    const after = await send('payment.updated');
    await processed([after]);
    expect(await db.query('SELECT destination FROM forward_deliveries WHERE event_id = $1', [after])).toEqual([]);
    await receiver.close();
  }, 60_000);

  it('refuses a remote URL without --allow-remote, in one line, before touching Postgres', async () => {
    const end = await listen('--forward-to', 'https://hooks.example.com/x').exited;
    expect(end.code).toBe(2);
    expect(end.stderr.split('\n')[0]).toBe(
      'square: --forward-to must name this machine (localhost, 127.0.0.1, [::1]); hooks.example.com is not: add --allow-remote to forward real events there',
    );
    expect(await db.query('SELECT 1 FROM listen_destinations')).toEqual([]);
  });
});

describe('square listen --forward-to behind PgBouncer in transaction mode, two workers', () => {
  let db: TestDatabase;
  let bouncer: PgBouncer;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  const workers: AppProcess[] = [];
  let cli: RunningNode | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('listen_pgb');
    bouncer = await startPgBouncer(db.url, 3);
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: false });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    for (let i = 0; i < 2; i++) {
      workers.push(
        await spawnApp(
          'worker',
          {
            DATABASE_URL: bouncer.url,
            DATABASE_POOLER: 'transaction',
            REDIS_URL,
            QUEUE_PREFIX: prefix,
            SQUARE_ACCESS_TOKEN: 'test-token',
            SQUARE_BASE_URL: fake.url,
            LOG_LEVEL: 'warn',
          },
          'WORKER_PORT',
        ),
      );
    }
  });

  afterAll(async () => {
    cli?.kill('SIGKILL');
    await workers[1]?.stop('SIGKILL');
    await stopPipeline({ worker: workers[0], ingress, fake, prefix });
    await bouncer?.stop();
    await db?.drop();
  });

  it('the events either worker applies are forwarded (each polls, no LISTEN), and Ctrl-C leaves nothing behind', async () => {
    const secret = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    const receiver = new WebhookReceiver(secret);
    await receiver.listen();
    cli = startNode(CLI, ['listen', '--forward-to', receiver.url, '--secret', secret], {
      DATABASE_URL: bouncer.url,
      DATABASE_POOLER: 'transaction',
    });
    const [, name] = await cli.waitFor(/^destination (listen-[0-9a-f]{8}):/m);
    await cli.waitFor(/^ready: /m);
    await new Promise((r) => setTimeout(r, 1500)); // the other worker's poll too: each looks every second
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const event = buildTriggerEvent('payment.updated');
      fake.put(event.seed!.objectType, event.seed!.object);
      expect((await ingress.post(event.body, signedHeaders(event.body, KEY))).status).toBe(200);
      ids.push(event.eventId);
    }
    await eventually(async () => ids.every((id) => receiver.of(id).length > 0), 30_000, '6 deliveries');
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    for (const id of ids) await cli.waitFor(new RegExp(`^\\S+Z payment\\.updated ${id} 200 \\d+ ms$`, 'm'));

    cli.kill('SIGINT');
    const end = await cli.exited;
    expect({ code: end.code, stderr: end.stderr }).toEqual({ code: 0, stderr: '' });
    expect(end.stdout).toMatch(
      new RegExp(
        `^stopped: 6 event\\(s\\) forwarded, 6 delivered, 0 failed attempt\\(s\\); destination ${name} removed with its 6 deliveries$`,
        'm',
      ),
    );
    const left =
      await db.query(`SELECT (SELECT count(*) FROM listen_destinations)::int AS listen, (SELECT count(*) FROM forward_deliveries)::int AS deliveries,
      (SELECT count(*) FROM forward_destinations)::int AS circuits, (SELECT count(*) FROM job_outbox WHERE queue LIKE 'forward-%')::int AS outbox`);
    expect(left).toEqual([{ listen: 0, deliveries: 0, circuits: 0, outbox: 0 }]);
    await receiver.close();
  });
});

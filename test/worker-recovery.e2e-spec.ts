import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { INestApplication } from '@nestjs/common';
import { JOBS, QUEUES, jobIdForEvent } from '@app/queue';
import { runNode } from './support/cli.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { spawnApp } from './support/processes.js';
import { freePort, startProxy } from './support/servers.js';
import { paymentEventBody } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig, type WorkerOverrides } from './support/worker.js';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';

const PAYMENT = SAMPLE_PAYMENTS[0]!;

// Duplicates, lost jobs, crashes and shutdowns: the effect must land exactly once regardless.
describe('worker: duplicates, lost jobs and crashes', () => {
  let db: TestDatabase;
  let fake: FakeSquareServer;
  const prefixes: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('recovery');
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: true });
    fake.put('payment', PAYMENT);
    await fake.listen();
  });

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
    fake.reset();
  });

  afterAll(async () => {
    await fake?.close();
    for (const prefix of prefixes) await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const newPrefix = () => {
    const prefix = uniqueName('q');
    prefixes.push(prefix);
    return prefix;
  };
  const queueFor = (prefix: string) => {
    const queue = new Queue(QUEUES.squareEvents, { connection: { url: REDIS_URL }, prefix });
    cleanups.push(() => queue.close());
    return queue;
  };
  const worker = async (prefix: string, overrides: WorkerOverrides = {}): Promise<INestApplication> => {
    const app = await startWorker(workerConfig(db.url, prefix, fake.url, overrides));
    cleanups.push(() => app.close());
    return app;
  };
  /** An inbox row as the ingress writes it (no job). */
  const storeEvent = async (eventId: string, paymentId = String(PAYMENT.id), receivedSecondsAgo = 0) => {
    const body = paymentEventBody(eventId, paymentId);
    await db.query(
      `INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, received_at)
       VALUES ($1, 'payment.updated', 'ML7Q2XK4ZP1N9', 'sha256', $2, $3::jsonb, now() - make_interval(secs => $4))`,
      [eventId, body, body.toString(), receivedSecondsAgo],
    );
  };
  const status = async (eventId: string) =>
    (await db.query<{ status: string }>('SELECT status FROM webhook_events WHERE event_id = $1', [eventId]))[0]?.status;
  const claims = async (eventId: string) =>
    (await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', [eventId])).length;

  it('20 duplicate jobs for one event across two worker instances: one effect', async () => {
    const prefix = newPrefix();
    await storeEvent('dup-20');
    fake.latencyMs = 30; // overlap the fetches
    const queue = queueFor(prefix);
    await worker(prefix);
    await worker(prefix);
    const jobs = await queue.addBulk(
      Array.from({ length: 20 }, (_, i) => ({
        name: JOBS.processEvent,
        data: { eventId: 'dup-20' },
        opts: { jobId: `dup-20-copy-${i}`, attempts: 3 },
      })),
    );
    const results = await eventually(
      async () => {
        const done = await Promise.all(jobs.map((j) => queue.getJob(j.id!)));
        return done.every((j) => j?.finishedOn) ? done.map((j) => j!.returnvalue as string) : undefined;
      },
      20_000,
      '20 jobs to finish',
    );
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(results.every((r) => ['applied', 'skipped', 'duplicate'].includes(r))).toBe(true);
    expect(await claims('dup-20')).toBe(1);
    expect(await status('dup-20')).toBe('processed');
  });

  it('concurrent applies of one event: the claim lets exactly one transaction through', async () => {
    const prefix = newPrefix();
    await storeEvent('race-1', 'pay_race');
    const app = await worker(prefix);
    const { EventTransactions } = await import('@app/database');
    const { CLAIM_EVENT } = await import('../apps/worker/src/square-events/process-square-event.use-case.js');
    const applies = app.get(EventTransactions);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        applies.inEventTransaction('race-1', 5000, async (tx) => {
          const claimed = await tx.run(CLAIM_EVENT, { event_id: 'race-1', handlers: [], body_key: null, object: null });
          return claimed.rows.length === 1 ? 'applied' : 'duplicate';
        }),
      ),
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(19);
  });

  it('a job deleted from Redis: the sweep re-enqueues it and the event is processed', async () => {
    const prefix = newPrefix();
    const queue = queueFor(prefix);
    await storeEvent('lost-1', String(PAYMENT.id), 5);
    await queue.add(JOBS.processEvent, { eventId: 'lost-1' }, { jobId: jobIdForEvent('lost-1'), attempts: 3 });
    await queue.remove(jobIdForEvent('lost-1')); // Redis lost it (restart without persistence, FLUSHALL…)
    await storeEvent('fresh-1', String(PAYMENT.id), 0); // just arrived: not the sweep's business yet
    await worker(prefix, { sweepAfterMs: 2000, sweepIntervalMs: 200 });
    await eventually(async () => (await status('lost-1')) === 'processed', 10_000, 'the sweep to recover lost-1');
    expect(await status('fresh-1')).toBe('received');
    expect(await claims('lost-1')).toBe(1);
  });

  it('a job that failed for good while Postgres could not record it: the sweep dead-letters the event', async () => {
    const prefix = newPrefix();
    await storeEvent('failed-unmarked', String(PAYMENT.id), 5);
    const queue = queueFor(prefix);
    await queue.add(
      JOBS.processEvent,
      { eventId: 'failed-unmarked' },
      { jobId: jobIdForEvent('failed-unmarked'), attempts: 1 },
    );
    // A bare worker that fails the job without touching Postgres, as if the dead-letter write had failed.
    const bare = new Worker(
      QUEUES.squareEvents,
      async () => {
        throw new UnrecoverableError('boom');
      },
      { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix },
    );
    await eventually(
      async () => (await queue.getJob(jobIdForEvent('failed-unmarked')))?.failedReason,
      5000,
      'the job to fail',
    );
    await bare.close();
    await worker(prefix, { sweepAfterMs: 1000, sweepIntervalMs: 200 });
    await eventually(
      async () => (await status('failed-unmarked')) === 'dead_lettered',
      10_000,
      'the sweep to dead-letter',
    );
    const [row] = await db.query('SELECT dead_letter_reason, last_error FROM webhook_events WHERE event_id = $1', [
      'failed-unmarked',
    ]);
    expect(row).toEqual({ dead_letter_reason: 'attempts_exhausted', last_error: 'boom' });
  });

  it('a replayed event gets a job of its own: the old failed job, still in Redis, cannot dead-letter it again', async () => {
    const prefix = newPrefix();
    await storeEvent('replayed-1', String(PAYMENT.id), 5);
    const queue = queueFor(prefix);
    await queue.add(JOBS.processEvent, { eventId: 'replayed-1' }, { jobId: jobIdForEvent('replayed-1'), attempts: 1 });
    const bare = new Worker(
      QUEUES.squareEvents,
      async () => {
        throw new UnrecoverableError('gone');
      },
      { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, prefix },
    );
    await eventually(
      async () => (await queue.getJob(jobIdForEvent('replayed-1')))?.failedReason,
      5000,
      'the first job to fail',
    );
    await bare.close();
    await db.query(`UPDATE webhook_events SET status = 'dead_lettered' WHERE event_id = 'replayed-1'`);

    const app = await worker(prefix, { sweepAfterMs: 1000, sweepIntervalMs: 200 });
    const { EventStatusRepository } = await import('@app/database');
    expect(await app.get(EventStatusRepository).resetForReplay('replayed-1')).toBe('replayed');
    await eventually(
      async () => (await status('replayed-1')) === 'processed',
      10_000,
      'the replayed event to be processed',
    );
    expect(await queue.getJob(jobIdForEvent('replayed-1', 1))).toBeUndefined(); // done and removed
    expect(await (await queue.getJob(jobIdForEvent('replayed-1')))?.getState()).toBe('failed'); // the old one, untouched
  });

  it('Redis unreachable: jobs wait in the outbox, then are relayed and processed as soon as it is back', async () => {
    const prefix = newPrefix();
    const redisPort = Number(new URL(REDIS_URL).port || 6379);
    const proxy = await startProxy(redisPort, new URL(REDIS_URL).hostname);
    cleanups.push(() => proxy.stop());
    await worker(prefix, { redisUrl: `redis://127.0.0.1:${proxy.port}` });
    await proxy.stop();
    await storeEvent('while-redis-down', String(PAYMENT.id));
    await db.query(`INSERT INTO job_outbox (queue, ref) VALUES ($1, 'while-redis-down')`, [QUEUES.squareEvents]);
    // The relay tries and fails, backing off 1, 2, 4, then 8 s: by 9.5 s it has started the 8 s pause.
    await new Promise((r) => setTimeout(r, 9500));
    expect(await db.query(`SELECT 1 FROM job_outbox WHERE ref = 'while-redis-down'`)).toHaveLength(1);
    await proxy.start();
    const back = Date.now();
    await eventually(
      async () => (await status('while-redis-down')) === 'processed',
      20_000,
      'the event to be processed after Redis returns',
    );
    // The reconnect wakes the relay: it does not wait out the rest of its pause (5.5 s or more).
    expect(Date.now() - back).toBeLessThan(4000);
    expect(await db.query(`SELECT 1 FROM job_outbox WHERE ref = 'while-redis-down'`)).toHaveLength(0);
  });

  it('SIGKILL of a worker process mid-job: the job comes back and is applied exactly once', async () => {
    const prefix = newPrefix();
    await storeEvent('killed-1', 'pay_killed');
    fake.latencyMs = 4000; // the job will be inside its Square call when the process dies
    const proc = await spawnApp(
      'dist/apps/worker/src/main.js',
      workerEnv(prefix, { JOB_LOCK_MS: '2000' }),
      'WORKER_PORT',
    );
    cleanups.push(() => proc.stop('SIGKILL'));
    await queueFor(prefix).add(JOBS.processEvent, { eventId: 'killed-1' }, { jobId: 'killed-1', attempts: 3 });
    await eventually(async () => fake.requestCount('pay_killed') === 1, 10_000, 'the job to call Square');
    await proc.stop('SIGKILL');
    expect(await status('killed-1')).toBe('received');

    fake.latencyMs = 0;
    await worker(prefix, { jobLockMs: 2000 }); // a replacement; stalled-job recovery hands it the job
    await eventually(async () => (await status('killed-1')) === 'processed', 20_000, 'the stalled job to be recovered');
    expect(await claims('killed-1')).toBe(1);
    expect(fake.requestCount('pay_killed')).toBe(2);
  });

  it('SIGTERM: the active job finishes, then the process exits 0', async () => {
    const prefix = newPrefix();
    await storeEvent('graceful-1', 'pay_graceful');
    fake.latencyMs = 1500;
    const proc = await spawnApp('dist/apps/worker/src/main.js', workerEnv(prefix), 'WORKER_PORT');
    cleanups.push(() => proc.stop('SIGKILL'));
    await queueFor(prefix).add(JOBS.processEvent, { eventId: 'graceful-1' }, { jobId: 'graceful-1', attempts: 3 });
    await eventually(async () => fake.requestCount('pay_graceful') === 1, 10_000, 'the job to start');
    const exit = await proc.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await status('graceful-1')).toBe('processed');
  });

  it('REDIS_URL pointing nowhere: said once, naming the variable and what still works; readiness names it; SIGTERM exits at once', async () => {
    const port = await freePort();
    const proc = await spawnApp(
      'dist/apps/worker/src/main.js',
      workerEnv(newPrefix(), { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` }),
      'WORKER_PORT',
    );
    cleanups.push(() => proc.stop('SIGKILL'));
    const ready = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${proc.port}/health/ready`);
        const body = (await res.json()) as { error?: { redis?: { message?: string } } };
        return res.status === 503 && body.error?.redis?.message ? body.error.redis.message : undefined;
      },
      10_000,
      'readiness to name Redis',
    );
    expect(ready).toContain(`REDIS_URL (redis://127.0.0.1:${port}) is unreachable`);
    await new Promise((r) => setTimeout(r, 3000)); // several reconnection attempts of every connection
    const lines = proc
      .output()
      .split('\n')
      .filter((l) => l.includes('REDIS_URL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Webhooks are still accepted');
    expect(
      proc
        .output()
        .split('\n')
        .filter((l) => l.includes('ECONNREFUSED')),
    ).toHaveLength(1); // not a line per retry
    expect(proc.output()).not.toContain('s3cret');
    const stopping = Date.now();
    expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(3000); // no active job: no WORKER_SHUTDOWN_TIMEOUT_MS wait
  });

  it('refuses to start without SQUARE_ACCESS_TOKEN, naming it, never printing secrets', async () => {
    const run = await runNode('dist/apps/worker/src/main.js', [], {
      DATABASE_URL: 'postgresql://user:pw-secret@127.0.0.1:1/x',
      SQUARE_ACCESS_TOKEN: '',
      WORKER_CONCURRENCY: 'many',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('SQUARE_ACCESS_TOKEN is required');
    expect(run.stderr).toContain('WORKER_CONCURRENCY must be a whole number');
    expect(run.stderr).not.toContain('pw-secret');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  function workerEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SQUARE_ACCESS_TOKEN: 'test-token',
      SQUARE_BASE_URL: fake.url,
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }
});

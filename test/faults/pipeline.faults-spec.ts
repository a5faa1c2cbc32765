import { runNode } from '../support/cli.js';
import { runScenario, sleep } from './support/scenario.js';

// Fault injection under steady load (npm run test:faults). Every scenario ends with the
// invariant: every event that got a 2xx ends processed, ignored or dead_lettered, exactly once
// in effect; no payment row older than the newest version retrieved; nothing unsigned stored.
// Each scenario: ~15 s of load, then up to 60 s to ack and 90 s to settle.
const SCENARIO_TIMEOUT = 240_000;

describe('fault injection', () => {
  it(
    'SIGKILL a worker mid-load, start a new one',
    async () => {
      const { violations, counts } = await runScenario(
        'worker-sigkill',
        'SIGKILL a worker mid-load',
        { workers: 2, ratePerSecond: 60 },
        async (ctx) => {
          await sleep(4000);
          await ctx.p.killWorker(0);
          ctx.faultInjected();
          await sleep(2000);
          await ctx.p.addWorker();
          await sleep(4000);
          ctx.notes.push(
            'Two workers; one is killed with SIGKILL while processing, a new one starts 2 s later. ' +
              'Jobs held by the dead worker come back after their lock expires (JOB_LOCK_MS = 3 s here).',
          );
        },
      );
      expect(violations).toEqual([]);
      expect(counts.deadLettered).toBe(0);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'Redis restarts and loses its data mid-load',
    async () => {
      const { violations, counts } = await runScenario(
        'redis-restart',
        'Redis restarts empty mid-load',
        { workers: 2, ratePerSecond: 60 },
        async (ctx) => {
          await sleep(4000);
          ctx.faultInjected();
          await ctx.p.restartRedisEmpty(2000);
          await sleep(6000);
          ctx.notes.push(
            'Redis is killed and started again without persistence after 2 s: every queued job is lost. ' +
              'The ingress keeps answering 200 (it does not use Redis); jobs written meanwhile wait in the job outbox until the relay can enqueue them, ' +
              'and the sweep re-enqueues the lost ones, events still `received` after SWEEP_AFTER_MS (4 s here).',
          );
        },
      );
      expect(violations).toEqual([]);
      expect(counts.deadLettered).toBe(0);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'Postgres stops for 10 s mid-load',
    async () => {
      const { violations, counts } = await runScenario(
        'postgres-stop',
        'Postgres stopped for 10 s mid-load',
        { workers: 2, ratePerSecond: 40, privatePostgres: true },
        async (ctx) => {
          await sleep(4000);
          ctx.p.stopPostgres();
          ctx.faultInjected();
          await sleep(10_000);
          ctx.p.startPostgres();
          await sleep(4000);
          ctx.notes.push(
            "A Postgres server of the scenario's own is stopped (`pg_ctl stop -m fast`) for 10 s and started again. " +
              'The ingress answers 503 with Retry-After at once (the sender retries, as Square does); workers retry their jobs with backoff.',
          );
        },
      );
      expect(violations).toEqual([]);
      expect(counts.deadLettered).toBe(0);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    'duplicate storm: 50 concurrent deliveries of one event, many times',
    async () => {
      let undercounted = -1;
      const { violations } = await runScenario(
        'duplicate-storm',
        'Duplicate storm',
        { workers: 2, ratePerSecond: 30 },
        async (ctx) => {
          await sleep(1000);
          ctx.faultInjected();
          for (let round = 0; round < 20; round++) {
            const eventId = await ctx.sender.sendOne('pay_storm');
            await ctx.sender.duplicate(eventId, 50);
          }
          ctx.notes.push(
            'Besides the steady load (20 % of events delivered again), 20 events each get 50 concurrent duplicate deliveries.',
          );
          const { rows } = await ctx.p.db.query<{ n: string }>(
            `SELECT count(*) AS n FROM webhook_events WHERE payload->'data'->>'id' = 'pay_storm' AND delivery_count < 51`,
          );
          undercounted = Number(rows[0]!.n);
          ctx.rows.push(['storm events with fewer than 51 deliveries counted', undercounted]);
        },
      );
      expect(violations).toEqual([]);
      expect(undercounted).toBe(0);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "Square's API storm: 429s and 500s for a while, then recovery; dead-lettered events replayed",
    async () => {
      let dead = 0;
      const { violations, counts } = await runScenario(
        'square-storm',
        "Square's API storm (429, then 500), then recovery",
        { workers: 2, ratePerSecond: 40, env: { JOB_ATTEMPTS: '4' } },
        async (ctx) => {
          await sleep(3000);
          ctx.faultInjected();
          ctx.p.fake.fail({ status: 429, retryAfterSeconds: 1 });
          await sleep(4000);
          ctx.p.fake.reset();
          ctx.p.fake.fail({ status: 500 });
          await sleep(4000);
          ctx.p.fake.reset();
          await ctx.sender.drain(60_000);
          await ctx.p.settle(ctx.sender.ackedIds(), 90_000);
          dead = (await ctx.p.statusCounts()).dead_lettered ?? 0;
          const replay = await runNode('dist/apps/cli/src/events.main.js', ['replay', '--dead-lettered'], ctx.p.env());
          if (replay.code !== 0) throw new Error(`replay failed: ${replay.stdout}${replay.stderr}`);
          ctx.rows.push(['dead-lettered during the storm, then replayed', dead]);
          ctx.notes.push(
            'Square answers 429 (Retry-After: 1) to every call for 4 s, then 500 for 4 s, then recovers. With JOB_ATTEMPTS = 4 ' +
              'events that keep failing are dead-lettered; after recovery `npm run events -- replay --dead-lettered` replays them.',
          );
        },
      );
      expect(violations).toEqual([]);
      expect(dead).toBeGreaterThan(0); // the storm did dead-letter events: the replay had work
      expect(counts.deadLettered).toBe(0); // all replayed and processed
    },
    SCENARIO_TIMEOUT,
  );
});

import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { QUEUES, queuePrefix } from '@app/queue';
import { runNode } from '../support/cli.js';
import type { SquareSender } from './support/square-sender.js';
import { runScenario, sleep, type ScenarioContext } from './support/scenario.js';

// Redis as teams that grow run it (docs/SCALING.md, "Redis Cluster and Sentinel"): 3 000 events
// under load while the master holding the square-events queue is killed with kill -9. Its replica
// takes over; writes the master had acknowledged but not yet replicated are gone (asynchronous
// replication), and the pipeline must still lose none and apply none twice: the outbox relay and
// the sweep re-add from Postgres whatever Redis lost, the claim absorbs what runs again.
const EVENTS = 3000;
const RATE = 100;
const SCENARIO_TIMEOUT = 300_000;
// The sweep re-enqueues an event still 'received' this long after it came (Pipeline's env: 4 s).
const env = { LOG_LEVEL: 'warn' };

async function sent(sender: SquareSender, events: number): Promise<void> {
  while (sender.stats.events < events) await sleep(50);
}

/** Kills the queue's master once a third of the events are sent; records what the failover cost. */
async function killQueueMaster(ctx: ScenarioContext): Promise<{ applied2: number; absorbed: number }> {
  const topology = ctx.p.topology!;
  // The key every square-events job goes through; in a cluster its slot is the queue's (hash tag).
  const clusterNodes = topology.kind === 'cluster' ? [{ host: '127.0.0.1', port: 0 }] : [];
  const key = `${queuePrefix({ prefix: 'bull', clusterNodes }, QUEUES.squareEvents)}:${QUEUES.squareEvents}:wait`;
  await sent(ctx.sender, EVENTS / 3);
  const killedPort = await topology.killMasterOf(key);
  const killedAt = new Date();
  ctx.faultInjected();
  const failover = await topology.waitForFailover(60_000);
  await sent(ctx.sender, EVENTS);
  await ctx.sender.drain(60_000);
  await ctx.p.settle(ctx.sender.ackedIds(), 120_000);

  const db = ctx.p.db;
  // Applied twice: an event whose effects committed in more than one attempt (the claim forbids it).
  const {
    rows: [twice],
  } = await db.query<{ n: string }>(`
    SELECT count(*) AS n FROM (SELECT event_id FROM event_attempts WHERE outcome IN ('applied', 'unchanged', 'ignored')
                               GROUP BY event_id HAVING count(*) > 1) t`);
  // Jobs that ran again after their event was applied (lost completions, stalled jobs): absorbed.
  const {
    rows: [absorbed],
  } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM event_attempts WHERE outcome IN ('duplicate', 'skipped')`,
  );
  const {
    rows: [resumed],
  } = await db.query<{ first: Date | null; slowest: string | null }>(
    `
    SELECT (SELECT min(updated_at) FROM webhook_events WHERE status = 'processed' AND received_at > $1) AS first,
           (SELECT max(extract(epoch FROM updated_at - received_at)) FROM webhook_events WHERE status = 'processed') AS slowest`,
    [killedAt],
  );
  const swept = ctx.p.workers
    .map((w) => w.output())
    .join('\n')
    .split('\n')
    .filter((line) => line.includes('sweep recovered events'))
    .reduce((sum, line) => sum + Number(/"enqueued":(\d+)/.exec(line)?.[1] ?? 0), 0);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  ctx.rows.push(
    ['master killed (kill -9) / replica promoted', `${killedPort} / ${failover.port}`],
    ['time from the kill to the replica serving as master', seconds(failover.ms)],
    [
      'time from the kill to the first event received after it processed',
      resumed?.first ? seconds(resumed.first.getTime() - killedAt.getTime()) : 'none',
    ],
    ['slowest event, received to processed', `${Number(resumed?.slowest ?? 0).toFixed(1)} s`],
    [
      'events enqueued by the sweep (still received after 4 s: their job lost with the master, or still in the outbox while the relay backed off)',
      swept,
    ],
    ['jobs that ran again and were absorbed (duplicate or skipped)', Number(absorbed!.n)],
    ['events applied twice', Number(twice!.n)],
  );
  return { applied2: Number(twice!.n), absorbed: Number(absorbed!.n) };
}

const PROBE_EMAIL = 'erase-probe@example.com';

/**
 * Erasure in a cluster: jobs naming an address, in queues whose tags spread over the masters, are
 * all found (SCAN on every master) and removed by `npm run events -- erase`. Returns how many it removed.
 */
async function eraseAcrossMasters(ctx: ScenarioContext, queues: number): Promise<string> {
  const nodes = ctx.p
    .env()
    .REDIS_CLUSTER_NODES!.split(',')
    .map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) }));
  const cluster = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
  try {
    for (let i = 0; i < queues; i++) {
      const name = `erase-probe-${i}`;
      const queue = new Queue(name, {
        connection: cluster,
        prefix: queuePrefix({ prefix: 'bull', clusterNodes: nodes }, name),
      });
      await queue.add('probe', { note: `customer ${PROBE_EMAIL}` });
      await queue.close();
    }
  } finally {
    cluster.disconnect();
  }
  const erase = await runNode('dist/apps/cli/src/events.main.js', ['erase', '--email', PROBE_EMAIL], ctx.p.env());
  if (erase.code !== 0) throw new Error(`erase failed: ${erase.stdout}${erase.stderr}`);
  return /redis: (\d+) jobs/.exec(erase.stdout)?.[1] ?? erase.stdout;
}

describe('Redis failover under load', () => {
  for (const redis of ['cluster', 'sentinel'] as const) {
    const title =
      redis === 'cluster'
        ? 'Redis Cluster (3 masters, 3 replicas): the master holding the queue is killed (kill -9) mid-load'
        : 'Redis behind Sentinel (a master, 2 replicas, 3 sentinels): the master is killed (kill -9) mid-load';
    it(
      title,
      async () => {
        let applied2 = -1;
        let erased = '';
        const { violations, counts } = await runScenario(
          `redis-${redis}-failover`,
          title,
          { workers: 2, ratePerSecond: RATE, events: EVENTS, redis, env },
          async (ctx) => {
            ({ applied2 } = await killQueueMaster(ctx));
            if (redis === 'cluster') {
              erased = await eraseAcrossMasters(ctx, 6);
              ctx.rows.push(['jobs naming an address in 6 queues over the masters, removed by `events erase`', erased]);
            }
            ctx.notes.push(
              redis === 'cluster'
                ? `${EVENTS} events at ${RATE}/s. Six redis-server processes on ports 7100-7105 (cluster-node-timeout 2 s, no persistence); once a third of the events are sent, ` +
                    "the master holding the slot of the square-events queue's hash tag ({bull:square-events}) is killed with SIGKILL; its replica is promoted by the cluster."
                : `${EVENTS} events at ${RATE}/s. A master (7110) with two replicas and three sentinels (7120-7122; down-after-milliseconds 1 s, no persistence); ` +
                    'once a third of the events are sent, the master is killed with SIGKILL; the sentinels promote a replica and the pipeline finds it through them.',
            );
          },
        );
        expect(violations).toEqual([]); // every acked event processed, once in effect
        expect(counts.received).toBe(0); // none lost
        expect(counts.deadLettered).toBe(0);
        expect(counts.processed + counts.ignored).toBe(EVENTS);
        expect(applied2).toBe(0);
        if (redis === 'cluster') expect(erased).toBe('6');
      },
      SCENARIO_TIMEOUT,
    );
  }
});

import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@app/config';
import { FORWARD_JOBS, JOBS, QUEUES, forwardQueue } from '@app/queue';
import { forwardJobOptions, squareEventJobOptions } from '@app/queue-runtime';
import type { Report } from './report.js';
import { startRedis } from '../../test/support/servers.js';

const CHUNK = 1000;

/**
 * Redis memory per queued job (docs/SCALING.md), on a private redis-server so that nothing else
 * is counted: `jobs` waiting jobs of each kind, added as the relay adds them (its options, its
 * payloads: ids and the forward job's labels), and INFO's used_memory before and after.
 */
export async function redisMemoryRun(jobs: number, report: Report): Promise<void> {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const queue = loadConfig(['queue'], { QUEUE_PREFIX: 'bench' }).queue;
  const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  const perJob = async (name: string, add: (q: Queue, from: number, to: number) => Promise<unknown>) => {
    const q = new Queue(name, { connection: client, prefix: 'bench' });
    const before = await used();
    for (let from = 0; from < jobs; from += CHUNK) await add(q, from, Math.min(jobs, from + CHUNK));
    const bytes = ((await used()) - before) / jobs;
    await q.obliterate({ force: true });
    await q.close();
    return Math.round(bytes);
  };
  try {
    const eventJob = await perJob(QUEUES.squareEvents, (q, from, to) =>
      q.addBulk(
        Array.from({ length: to - from }, () => {
          const eventId = randomUUID();
          return { name: JOBS.processEvent, data: { eventId }, opts: squareEventJobOptions(queue, eventId) };
        }),
      ),
    );
    const forwardJob = await perJob(forwardQueue('orders-service'), (q, from, to) =>
      q.addBulk(
        Array.from({ length: to - from }, (_, i) => {
          const deliveryId = String(1_000_000_000 + from + i);
          // The relay labels each job with its event, for Bull Board's cards.
          const data = { deliveryId, eventId: randomUUID(), eventType: 'payment.updated' };
          return { name: FORWARD_JOBS.deliver, data, opts: forwardJobOptions(deliveryId) };
        }),
      ),
    );
    report.redisMemory = { jobs, eventJobBytes: eventJob, forwardJobBytes: forwardJob };
    const mib = (bytes: number) => ((bytes * 1_000_000) / 2 ** 20).toFixed(0);
    console.log(
      `redis memory: ${eventJob} B per waiting event job (${mib(eventJob)} MiB per million), ` +
        `${forwardJob} B per forward job (${mib(forwardJob)} MiB per million), from ${jobs} of each`,
    );
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

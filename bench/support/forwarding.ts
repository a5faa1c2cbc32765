import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeSquareServer } from '@app/testing';
import { deleteQueuePrefix } from '../../test/support/redis.js';
import { startBlackhole } from '../../test/support/servers.js';
import { signedLoad } from './load.js';
import { startService } from './processes.js';
import type { Report } from './report.js';
import { KEY, NOTIFICATION_URL, REDIS_URL, baseEnv, queuePrefix, type BenchDatabase } from './stack.js';
import { steadySignedLoad } from './steady-load.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const CONNECTIONS = 50;

/** A receiver that answers 204 at once: the destination's own cost stays out of the figure. */
export async function fastReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function destinationsFile(destinations: Array<{ name: string; url: string; timeoutMs?: number }>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-destinations-')), 'destinations.yml');
  writeFileSync(
    file,
    `destinations:\n${destinations
      .map(
        (d) =>
          `  - { name: ${d.name}, url: '${d.url}', secret: '${SECRET}', eventTypes: ['*']${d.timeoutMs ? `, timeoutMs: ${d.timeoutMs}` : ''} }`,
      )
      .join('\n')}\n`,
  );
  return file;
}

const count = async (db: BenchDatabase, sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);

/**
 * 5. Forwarding: N events to one destination answering at 0 ms, timed until all are processed (beside
 * the run without, section 3) and until all are delivered; then a steady load to a healthy
 * destination, alone and beside a dead one (connections accepted, never answered), and the healthy
 * one's delivery latency (applied → delivered).
 */
export async function forwardingRuns(
  db: BenchDatabase,
  fake: FakeSquareServer,
  events: number,
  durationSeconds: number,
  report: Report,
): Promise<void> {
  fake.latencyMs = 0;
  const receiver = await fastReceiver();
  const blackhole = await startBlackhole();
  try {
    const prefix = queuePrefix();
    const env = {
      ...baseEnv(db.url, prefix),
      SQUARE_BASE_URL: fake.url,
      FORWARD_DESTINATIONS_FILE: destinationsFile([{ name: 'fast', url: receiver.url }]),
    };
    const ingress = await startService('ingress', 'ingress', env, 'INGRESS_PORT');
    const worker = await startService('worker', 'worker', env, 'WORKER_PORT');
    const t0 = performance.now();
    const sent = await signedLoad({
      url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
      key: KEY,
      notificationUrl: NOTIFICATION_URL,
      connections: CONNECTIONS,
      amount: events,
    });
    const accepted = sent.requests - sent.non2xx - sent.errors;
    while ((await db.settledCount()) < accepted) await new Promise((r) => setTimeout(r, 100));
    const processedSeconds = (performance.now() - t0) / 1000;
    const delivered = () => count(db, "SELECT count(*) AS n FROM forward_deliveries WHERE status = 'delivered'");
    while ((await delivered()) < accepted) await new Promise((r) => setTimeout(r, 100));
    const deliveredSeconds = (performance.now() - t0) / 1000;
    // Deliveries/s on their own: from the first delivery to the last.
    const span = (
      await db.pool.query<{ s: number }>(
        'SELECT extract(epoch FROM max(delivered_at) - min(delivered_at))::float AS s FROM forward_deliveries',
      )
    ).rows[0]!.s;
    report.memory.worker = Math.max(report.memory.worker, worker.peakRssMiB());
    await Promise.all([ingress.stop(), worker.stop()]);
    await db.truncate();
    await deleteQueuePrefix(prefix, REDIS_URL);
    const f = {
      events: accepted,
      processedSeconds,
      deliveredSeconds,
      eventsPerSecond: accepted / processedSeconds,
      deliveriesPerSecond: accepted / span,
    };
    console.log(
      `forwarding: ${accepted} events, one destination at 0 ms → ${f.eventsPerSecond.toFixed(0)} events/s processed, ${f.deliveriesPerSecond.toFixed(0)} deliveries/s (all delivered in ${deliveredSeconds.toFixed(1)} s)`,
    );

    const isolation: NonNullable<Report['forwarding']>['isolation'] = [];
    for (const beside of [false, true]) {
      const p = queuePrefix();
      const destinations = [
        { name: 'healthy', url: receiver.url },
        ...(beside ? [{ name: 'dead', url: `http://127.0.0.1:${blackhole.port}/`, timeoutMs: 2000 }] : []),
      ];
      const e = {
        ...baseEnv(db.url, p),
        SQUARE_BASE_URL: fake.url,
        FORWARD_DESTINATIONS_FILE: destinationsFile(destinations),
      };
      const ing = await startService('ingress', 'ingress', e, 'INGRESS_PORT');
      const wrk = await startService('worker', 'worker', e, 'WORKER_PORT');
      const load = await steadySignedLoad({
        url: `http://127.0.0.1:${ing.port}/webhooks/square`,
        key: KEY,
        notificationUrl: NOTIFICATION_URL,
        ratePerSecond: 200,
        durationSeconds,
      });
      const expected = load.requests - load.non2xx - load.errors;
      while (
        (await count(
          db,
          "SELECT count(*) AS n FROM forward_deliveries WHERE destination = 'healthy' AND status = 'delivered'",
        )) < expected
      )
        await new Promise((r) => setTimeout(r, 100));
      // From the event's apply (its delivery recorded) to its delivery: what the forwarder adds.
      const { rows } = await db.pool.query<{ p50: number; p99: number; max: number }>(`
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
        FROM (SELECT extract(epoch FROM delivered_at - created_at) * 1000 AS ms FROM forward_deliveries WHERE destination = 'healthy') t`);
      const deadAttempts = beside
        ? await count(db, "SELECT coalesce(sum(attempts), 0) AS n FROM forward_deliveries WHERE destination = 'dead'")
        : 0;
      await Promise.all([ing.stop(), wrk.stop()]);
      await db.truncate();
      await deleteQueuePrefix(p, REDIS_URL);
      const r = rows[0]!;
      isolation.push({
        beside: beside ? 'a dead destination (never answers, 2 s timeout)' : 'nothing',
        deliveries: expected,
        p50: Math.round(r.p50),
        p99: Math.round(r.p99),
        max: Math.round(r.max),
        deadAttempts,
      });
      console.log(
        `forwarding: healthy destination beside ${beside ? 'a dead one' : 'nothing'}: ${expected} deliveries, applied → delivered p50 ${Math.round(r.p50)} ms, p99 ${Math.round(r.p99)} ms, max ${Math.round(r.max)} ms${beside ? ` (dead one: ${deadAttempts} attempts)` : ''}`,
      );
    }
    report.forwarding = { ...f, isolation };
  } finally {
    await receiver.close();
    await blackhole.close();
  }
}

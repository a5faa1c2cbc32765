import { createServer, type Server } from 'node:http';
import type { FakeSquareServer } from '@app/testing';
import { deleteQueuePrefix } from '../../test/support/redis.js';
import { destinationsFile, fastReceiver } from './forwarding.js';
import { signedLoad } from './load.js';
import { startService } from './processes.js';
import type { Report } from './report.js';
import { KEY, NOTIFICATION_URL, REDIS_URL, baseEnv, queuePrefix, type BenchDatabase } from './stack.js';

const CONNECTIONS = 50;

/** A tracing backend that costs nothing: takes OTLP/HTTP JSON exports, counts their spans, keeps none. */
async function otlpSink(): Promise<{ endpoint: string; spans(): number; close(): Promise<void> }> {
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Counted without parsing: every span has exactly one "spanId" key in the JSON encoding.
      spans += Buffer.concat(chunks).toString('utf8').split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => spans,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const count = async (db: BenchDatabase, sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);

/**
 * 8. Tracing (docs/TRACING.md): N events through the whole pipeline, forwarded to one destination
 * answering 204 at once, timed until all are delivered, with tracing off and on (exporting every
 * span to a local OTLP/HTTP receiver), alternately, twice each; CPU per event of the ingress and the
 * worker together.
 */
export async function tracingRuns(
  db: BenchDatabase,
  fake: FakeSquareServer,
  events: number,
  report: Report,
): Promise<void> {
  fake.latencyMs = 0;
  const receiver = await fastReceiver();
  const sink = await otlpSink();
  report.tracing = [];
  try {
    for (const tracing of [false, true, false, true]) {
      const prefix = queuePrefix();
      const env = {
        ...baseEnv(db.url, prefix),
        SQUARE_BASE_URL: fake.url,
        FORWARD_DESTINATIONS_FILE: destinationsFile([{ name: 'fast', url: receiver.url }]),
        ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint } : {}),
      };
      const ingress = await startService('ingress', 'ingress', env, 'INGRESS_PORT');
      const worker = await startService('worker', 'worker', env, 'WORKER_PORT');
      const spansBefore = sink.spans();
      const cpuBefore = ingress.cpuSeconds() + worker.cpuSeconds();
      const t0 = performance.now();
      const sent = await signedLoad({
        url: `http://127.0.0.1:${ingress.port}/webhooks/square`,
        key: KEY,
        notificationUrl: NOTIFICATION_URL,
        connections: CONNECTIONS,
        amount: events,
      });
      const accepted = sent.requests - sent.non2xx - sent.errors;
      while ((await count(db, "SELECT count(*) AS n FROM forward_deliveries WHERE status = 'delivered'")) < accepted)
        await new Promise((r) => setTimeout(r, 100));
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = ingress.cpuSeconds() + worker.cpuSeconds() - cpuBefore;
      await Promise.all([ingress.stop(), worker.stop()]); // SIGTERM: the last spans are flushed
      const run = {
        tracing,
        events: accepted,
        seconds,
        eventsPerSecond: accepted / seconds,
        cpuMsPerEvent: (1000 * cpuSeconds) / accepted,
        spansPerEvent: (sink.spans() - spansBefore) / accepted,
      };
      report.tracing.push(run);
      console.log(
        `tracing ${tracing ? 'on ' : 'off'}: ${accepted} events delivered in ${seconds.toFixed(1)} s → ${run.eventsPerSecond.toFixed(0)} events/s, ` +
          `${run.cpuMsPerEvent.toFixed(2)} ms CPU per event (ingress + worker), ${run.spansPerEvent.toFixed(1)} spans exported per event`,
      );
      await db.truncate();
      await deleteQueuePrefix(prefix, REDIS_URL);
    }
  } finally {
    await receiver.close();
    await sink.close();
  }
}

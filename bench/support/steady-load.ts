import http from 'node:http';
import type { LoadResult } from './load.js';
import { signedEvent } from './load.js';

/**
 * Open-loop load at a steady rate: request i leaves at start + i/rate whatever happened to the
 * earlier ones, and its latency counts from that scheduled moment (no coordinated omission). This
 * is how Square's deliveries arrive; autocannon's fixed rate instead fires every connection on
 * the same tick, which measures bursts.
 */
export async function steadySignedLoad(options: {
  url: string;
  key: string;
  notificationUrl: string;
  ratePerSecond: number;
  durationSeconds: number;
}): Promise<LoadResult> {
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const events = Array.from({ length: total }, () => signedEvent(options.key, options.notificationUrl));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(options.url);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const event = events[i]!;
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          url,
          { method: 'POST', agent, headers: { ...event.headers, 'content-length': Buffer.byteLength(event.body) } },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - due);
              if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) non2xx++;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end(event.body);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies.at(-1) ?? 0),
    errors,
    non2xx,
    seconds,
  };
}

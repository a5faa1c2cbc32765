#!/usr/bin/env node
// Quick ack-latency probe: sends N signed payment.updated webhooks with distinct event ids to a
// running ingress, one at a time and then C at a time, and prints median/p99/max.
// Usage: node bench/ack-latency.mjs [N=2000] [C=10]
// Env: INGRESS_URL (default http://localhost:3000/webhooks/square), SQUARE_WEBHOOK_SIGNATURE_KEYS,
//      SQUARE_WEBHOOK_NOTIFICATION_URL (defaults: the values `npm start` uses without a .env).
import { createHmac, randomUUID } from 'node:crypto';

const N = Number(process.argv[2] ?? 2000);
const C = Number(process.argv[3] ?? 10);
const target = process.env.INGRESS_URL ?? 'http://localhost:3000/webhooks/square';
const key = (process.env.SQUARE_WEBHOOK_SIGNATURE_KEYS ?? 'whsk_local_development_key').split(',')[0];
const notificationUrl = process.env.SQUARE_WEBHOOK_NOTIFICATION_URL ?? 'http://localhost:3000/webhooks/square';

function signedRequest() {
  const id = randomUUID();
  const body = JSON.stringify({
    merchant_id: 'ML7Q2XK4ZP1N9',
    type: 'payment.updated',
    event_id: id,
    created_at: new Date().toISOString(),
    data: {
      type: 'payment',
      id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe',
      object: { payment: { id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe', status: 'COMPLETED', version: 3 } },
    },
  });
  const signature = createHmac('sha256', key)
    .update(notificationUrl + body)
    .digest('base64');
  return { body, headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': signature } };
}

async function one(latencies, errors) {
  const { body, headers } = signedRequest();
  const t = performance.now();
  const res = await fetch(target, { method: 'POST', body, headers });
  await res.arrayBuffer();
  latencies.push(performance.now() - t);
  if (res.status !== 200) errors.push(res.status);
}

function report(label, latencies, errors, seconds) {
  const s = [...latencies].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
  console.log(
    `${label}: n=${s.length} median=${q(0.5)} ms p99=${q(0.99)} ms max=${s.at(-1).toFixed(2)} ms ` +
      `rate=${(s.length / seconds).toFixed(0)} req/s non-200=${errors.length}`,
  );
}

for (let i = 0; i < 200; i++) await one([], []); // warm-up
for (const [label, concurrency] of [
  ['sequential', 1],
  [`concurrency ${C}`, C],
]) {
  const latencies = [];
  const errors = [];
  const started = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < N) {
        sent++;
        await one(latencies, errors);
      }
    }),
  );
  report(label, latencies, errors, (performance.now() - started) / 1000);
}

// `npm run fake-square`: a local stand-in for Square's API (see fake-square.server.ts), seeded
// with the payment and refund that the sample events (`npm run square -- send`) refer to.
// FAKE_SQUARE_PORT (default 3010), FAKE_SQUARE_LATENCY_MS (default 0), FAKE_SQUARE_SYNTHESIZE
// (default true: unknown ids get a generated object). Point the worker at it with
// SQUARE_BASE_URL=http://localhost:3010.
import { FakeSquareServer } from './fake-square.server.js';
import { SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from './samples.js';

const port = Number(process.env.FAKE_SQUARE_PORT ?? 3010);
const server = new FakeSquareServer({
  latencyMs: Number(process.env.FAKE_SQUARE_LATENCY_MS ?? 0),
  synthesize: (process.env.FAKE_SQUARE_SYNTHESIZE ?? 'true') !== 'false',
});
for (const payment of SAMPLE_PAYMENTS) server.put('payments', payment);
for (const refund of SAMPLE_REFUNDS) server.put('refunds', refund);

const url = await server.listen(port, process.env.FAKE_SQUARE_HOST ?? '127.0.0.1');
console.log(`fake Square API on ${url} (latency ${server.latencyMs} ms)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}

// `npm run fake-square`: a local stand-in for Square's API (see fake-square.server.ts), seeded
// with the payment and refund that the sample events (`npm run square -- send`) refer to.
// FAKE_SQUARE_PORT (default 3010), FAKE_SQUARE_HOST (127.0.0.1), FAKE_SQUARE_LATENCY_MS (0),
// FAKE_SQUARE_SYNTHESIZE (true: unknown ids get a generated object). Point the worker at it with
// SQUARE_BASE_URL=http://localhost:3010.
import { ConfigError, loadAppConfig } from '@app/config';
import { FakeSquareServer, SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from '@app/testing';

let config;
try {
  config = loadAppConfig('fakeSquare').fakeSquare;
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : String(err));
  process.exit(1);
}
const server = new FakeSquareServer({ latencyMs: config.latencyMs, synthesize: config.synthesize });
for (const payment of SAMPLE_PAYMENTS) server.put('payment', payment);
for (const refund of SAMPLE_REFUNDS) server.put('refund', refund);

const url = await server.listen(config.port, config.host);
console.log(`fake Square API on ${url} (latency ${server.latencyMs} ms)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}

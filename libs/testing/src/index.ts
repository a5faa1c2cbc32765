// What the tests, the benchmarks and `npm run fake-square` share: the fake Square API (the only
// thing faked: everything else is real) and Square's own payloads and signatures.
export { FAKE_TOKEN_WITHOUT_PERMISSION, FakeSquareServer, TOKEN_STATUS } from './fake-square.server.js';
export type { FakeSubscription, FakeTestDelivery, FakeWebhookSubscriptions } from './fake-webhooks.js';
export type { FakeSquareOptions, Fault } from './fake-square.server.js';
export type { FakeApplication, FakeSellers } from './fake-oauth.js';
export type { FakeEventLog } from './fake-events.js';
export { SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from './samples.js';
export { FIXTURES_DIR, SIGNATURE_VECTORS, fixtureBody } from './fixtures.js';
export type { SignatureVector } from './fixtures.js';
export { OBJECT_SAMPLES } from './object-samples.js';

import { SquareApiClient } from './square-api.client.js';
import { SquareApiError } from './square-api.errors.js';
import { FakeSquareServer, SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from '@app/testing';

// The official SDK against our fake Square API over real HTTP.
describe('SquareApiClient', () => {
  const fake = new FakeSquareServer({ accessToken: 'token-1' });
  let client: SquareApiClient;
  const paymentId = String(SAMPLE_PAYMENTS[0]!.id);

  beforeAll(async () => {
    fake.put('payments', SAMPLE_PAYMENTS[0]!);
    fake.put('refunds', SAMPLE_REFUNDS[0]!);
    const baseUrl = await fake.listen();
    client = new SquareApiClient({ accessToken: 'token-1', environment: 'sandbox', baseUrl, timeoutMs: 500 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const failure = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (err) {
      if (err instanceof SquareApiError) return err;
      throw err;
    }
    throw new Error('expected a SquareApiError');
  };

  it('retrieves a payment: the columns, and the object in Square wire format with exact amounts', async () => {
    const payment = await client.getPayment(paymentId);
    expect(payment).toMatchObject({ id: paymentId, status: 'COMPLETED', amount: 2450n, currency: 'USD', version: 3, receiptNumber: 'Rk2v' });
    expect(payment.updatedAt?.toISOString()).toBe('2026-10-02T14:05:41.930Z');
    expect(JSON.parse(payment.json)).toEqual(SAMPLE_PAYMENTS[0]);
  });

  it('retrieves a refund, keeping its version', async () => {
    const refund = await client.getRefund(String(SAMPLE_REFUNDS[0]!.id));
    expect(refund).toMatchObject({ paymentId, status: 'COMPLETED', amount: 500n, version: 7 });
    expect(JSON.parse(refund.json)).toEqual(SAMPLE_REFUNDS[0]);
  });

  it.each([
    [404, false],
    [400, false],
    [401, false],
    [403, false],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
  ])('classifies %i as retryable=%s', async (status, retryable) => {
    fake.fail({ status });
    const err = await failure(client.getPayment(paymentId));
    expect(err).toMatchObject({ status, retryable });
  });

  it('reads Retry-After from a 429', async () => {
    fake.fail({ status: 429, retryAfterSeconds: 7 });
    expect(await failure(client.getPayment(paymentId))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000, code: 'RATE_LIMITED' });
  });

  it('an unknown id is a permanent 404', async () => {
    expect(await failure(client.getPayment('nope'))).toMatchObject({ status: 404, retryable: false, code: 'NOT_FOUND' });
  });

  it('a wrong token is a permanent 401', async () => {
    const wrong = new SquareApiClient({ accessToken: 'wrong', environment: 'sandbox', baseUrl: fake.url, timeoutMs: 500 });
    expect(await failure(wrong.getPayment(paymentId))).toMatchObject({ status: 401, retryable: false });
  });

  it('a timeout is retryable', async () => {
    fake.latencyMs = 1500;
    expect(await failure(client.getPayment(paymentId))).toMatchObject({ status: null, retryable: true, transport: 'timeout' });
  });

  it('a refused connection is retryable', async () => {
    const down = new SquareApiClient({ accessToken: 't', environment: 'sandbox', baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
    expect(await failure(down.getPayment(paymentId))).toMatchObject({ status: null, retryable: true, transport: 'network' });
  });
});

import { SquareApiClient } from './square-api.client.js';
import { SquareApiError } from './square-api.errors.js';
import { FakeSquareServer, SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from '@app/testing';

// The official SDK against our fake Square API over real HTTP.
describe('SquareApiClient', () => {
  const fake = new FakeSquareServer({ accessToken: 'token-1' });
  let client: SquareApiClient;
  const paymentId = String(SAMPLE_PAYMENTS[0]!.id);

  beforeAll(async () => {
    fake.put('payment', SAMPLE_PAYMENTS[0]!);
    fake.put('refund', SAMPLE_REFUNDS[0]!);
    const baseUrl = await fake.listen();
    client = new SquareApiClient({ environment: 'sandbox', baseUrl, timeoutMs: 500 });
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

  it('retrieves a payment in Square wire format, exactly as the API sent it (unknown fields and versions kept)', async () => {
    const payment = await client.retrieve('payment', paymentId, 'token-1');
    expect(payment.object).toEqual(SAMPLE_PAYMENTS[0]);
    expect(JSON.parse(payment.json)).toEqual(SAMPLE_PAYMENTS[0]);
  });

  it('retrieves a refund, keeping its version', async () => {
    const refund = await client.retrieve('refund', String(SAMPLE_REFUNDS[0]!.id), 'token-1');
    expect(refund.object).toMatchObject({
      payment_id: paymentId,
      status: 'COMPLETED',
      amount_money: { amount: 500 },
      version: 7,
    });
  });

  it('keeps amounts beyond 2^53 exact in the JSON text', async () => {
    fake.put('payment', {
      ...SAMPLE_PAYMENTS[0]!,
      id: 'pay_big',
      amount_money: { amount: 9007199254740992, currency: 'USD' },
    }); // 2^53 + 1 as a JS number
    // JSON.parse of the fake's own body already rounds; the text the SDK gives back is what counts.
    const text = (await client.retrieve('payment', 'pay_big', 'token-1')).json;
    expect(text).toMatch(/"amount_money":\{"amount":900719925474099\d/);
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
    const err = await failure(client.retrieve('payment', paymentId, 'token-1'));
    expect(err).toMatchObject({ status, retryable });
  });

  it('reads Retry-After from a 429', async () => {
    fake.fail({ status: 429, retryAfterSeconds: 7 });
    expect(await failure(client.retrieve('payment', paymentId, 'token-1'))).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 7000,
      code: 'RATE_LIMITED',
    });
  });

  it('an unknown id is a permanent 404', async () => {
    expect(await failure(client.retrieve('payment', 'nope', 'token-1'))).toMatchObject({
      status: 404,
      retryable: false,
      code: 'NOT_FOUND',
    });
  });

  it('a wrong token is a permanent 401', async () => {
    expect(await failure(client.retrieve('payment', paymentId, 'wrong'))).toMatchObject({
      status: 401,
      retryable: false,
    });
  });

  it('a timeout is retryable', async () => {
    fake.latencyMs = 1500;
    expect(await failure(client.retrieve('payment', paymentId, 'token-1'))).toMatchObject({
      status: null,
      retryable: true,
      transport: 'timeout',
    });
  });

  it('a refused connection is retryable', async () => {
    const down = new SquareApiClient({ environment: 'sandbox', baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
    expect(await failure(down.retrieve('payment', paymentId, 't'))).toMatchObject({
      status: null,
      retryable: true,
      transport: 'network',
    });
  });
});

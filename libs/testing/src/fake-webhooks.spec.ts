import { SquareClient, SquareError } from 'square';
import { EVENT_CATALOG } from '@app/square';
import { FakeSquareServer } from './fake-square.server.js';

// The fake's Webhook Subscriptions API through the official SDK: the wire shapes the SDK parses.
describe('fake Square API: webhook subscriptions through the SDK', () => {
  const fake = new FakeSquareServer({ accessToken: 'app-token' });
  let client: SquareClient;

  beforeAll(async () => {
    client = new SquareClient({ token: 'app-token', baseUrl: await fake.listen(), maxRetries: 0 });
  });
  afterAll(() => fake.close());

  it('lists the catalog as the event types', async () => {
    const { eventTypes, metadata } = await client.webhooks.eventTypes.list();
    expect(eventTypes).toEqual(Object.keys(EVENT_CATALOG).sort());
    expect(metadata?.[0]).toEqual({
      eventType: eventTypes![0],
      apiVersionIntroduced: '2026-09-16',
      releaseStatus: 'PUBLIC',
    });
  });

  it('creates, retrieves (with the key), lists (without it), updates and deletes', async () => {
    const subscription = {
      name: 'n',
      eventTypes: ['payment.created'],
      notificationUrl: 'https://hooks.example.com/sq',
      apiVersion: '2026-09-16',
    };
    const created = (await client.webhooks.subscriptions.create({ idempotencyKey: 'k', subscription })).subscription!;
    expect(created).toMatchObject({ ...subscription, enabled: true, signatureKey: expect.any(String) });
    expect((await client.webhooks.subscriptions.get({ subscriptionId: created.id! })).subscription?.signatureKey).toBe(
      created.signatureKey,
    );
    const listed = [];
    for await (const s of await client.webhooks.subscriptions.list()) listed.push(s);
    expect(listed).toEqual([expect.objectContaining({ id: created.id })]);
    expect(listed[0]!.signatureKey).toBeUndefined();
    const updated = await client.webhooks.subscriptions.update({
      subscriptionId: created.id!,
      subscription: { enabled: false, eventTypes: ['refund.created'] },
    });
    expect(updated.subscription).toMatchObject({
      enabled: false,
      eventTypes: ['refund.created'],
      notificationUrl: subscription.notificationUrl,
    });
    const { signatureKey } = await client.webhooks.subscriptions.updateSignatureKey({ subscriptionId: created.id! });
    expect(signatureKey).not.toBe(created.signatureKey);
    await client.webhooks.subscriptions.delete({ subscriptionId: created.id! });
    await expect(client.webhooks.subscriptions.get({ subscriptionId: created.id! })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('refuses a URL that is not https (http only for loopback hosts, a fake-only escape) and unknown event types', async () => {
    const create = (notificationUrl: string, eventTypes = ['payment.created']) =>
      client.webhooks.subscriptions.create({ subscription: { notificationUrl, eventTypes } }).then(
        () => undefined,
        (err: unknown) => err as SquareError,
      );
    const refused = await create('http://hooks.example.com/sq');
    expect(refused).toBeInstanceOf(SquareError);
    expect({ status: refused!.statusCode, error: refused!.errors[0] }).toEqual({
      status: 400,
      error: {
        category: 'INVALID_REQUEST_ERROR',
        code: 'INVALID_VALUE',
        detail: 'The notification URL must be a valid https URL.',
        field: 'subscription.notification_url',
      },
    });
    expect(await create('http://127.0.0.1:9/sq')).toBeUndefined();
    expect((await create('https://h.example.com/sq', ['payment.nonsense']))?.errors[0]?.detail).toBe(
      'Unknown event type: payment.nonsense.',
    );
  });
});

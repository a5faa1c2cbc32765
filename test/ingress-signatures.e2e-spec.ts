import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { NOTIFICATION_URL, paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { SIGNATURE_VECTORS, fixtureBody } from '@app/testing';

// Key rotation, legacy SHA-1 and the notification URL, each with an ingress configured for it.
describe('ingress signature configuration', () => {
  let db: TestDatabase;
  const started: TestIngress[] = [];
  const start = async (overrides: Parameters<typeof ingressConfig>[1]) => {
    const ingress = await startIngress(ingressConfig(db.url, overrides));
    started.push(ingress);
    return ingress;
  };

  beforeAll(async () => {
    db = await createTestDatabase('signatures');
  });

  afterAll(async () => {
    for (const ingress of started) await ingress.close();
    await db?.drop();
  });

  it('accepts either key while two are configured (rotation without downtime)', async () => {
    const ingress = await start({ signatureKeys: ['whsk_new', 'whsk_old'] });
    for (const [id, key] of [
      ['rot-new', 'whsk_new'],
      ['rot-old', 'whsk_old'],
    ] as const) {
      const body = paymentEventBody(id);
      expect((await ingress.post(body, signedHeaders(body, key))).status).toBe(200);
    }
    const body = paymentEventBody('rot-retired');
    expect((await ingress.post(body, signedHeaders(body, 'whsk_retired'))).status).toBe(401);
  });

  describe('legacy x-square-signature (HMAC-SHA1)', () => {
    const v1 = SIGNATURE_VECTORS.find(
      (v) => v.payload === 'v1.PAYMENT_UPDATED.json' && v.notificationUrl === NOTIFICATION_URL,
    )!;
    const legacyHeaders = { 'content-type': 'application/json', 'x-square-signature': v1['x-square-signature'] };

    it('is refused while SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1 is off (the default)', async () => {
      const ingress = await start({ signatureKeys: [v1.signatureKey] });
      expect((await ingress.post(v1.body, legacyHeaders)).status).toBe(401);
    });

    it('is accepted when enabled, with a derived v1: event id', async () => {
      const ingress = await start({ signatureKeys: [v1.signatureKey], allowLegacySha1: true });
      const res = await ingress.post(v1.body, {
        ...legacyHeaders,
        'square-initial-delivery-timestamp': '2026-10-02T14:05:42Z',
      });
      expect(res.status).toBe(200);
      expect(res.body.eventId).toMatch(/^v1:[0-9a-f]{64}$/);
      const [row] = await db.query('SELECT event_type, signature_algorithm FROM webhook_events WHERE event_id = $1', [
        res.body.eventId,
      ]);
      expect(row).toEqual({ event_type: 'PAYMENT_UPDATED', signature_algorithm: 'sha1' });
      // A wrong SHA-1 signature is still refused.
      expect(
        (await ingress.post(v1.body, { ...legacyHeaders, 'x-square-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }))
          .status,
      ).toBe(401);
    });

    it('never falls back to SHA-1 when a SHA-256 header is present but wrong', async () => {
      const ingress = await start({ signatureKeys: [v1.signatureKey], allowLegacySha1: true });
      const res = await ingress.post(v1.body, { ...legacyHeaders, 'x-square-hmacsha256-signature': 'AAAA' });
      expect(res.status).toBe(401);
    });
  });

  it('verifies against the configured URL only, ignoring Host and X-Forwarded-* headers', async () => {
    const slashUrl = `${NOTIFICATION_URL}/`;
    const ingress = await start({ signatureKeys: ['whsk_url'], notificationUrl: slashUrl });
    const body = fixtureBody('customer.created.json');
    expect((await ingress.post(body, signedHeaders(body, 'whsk_url', slashUrl))).status).toBe(200);
    const spoofed = await ingress.post(body, {
      ...signedHeaders(body, 'whsk_url', 'https://attacker.example/webhooks/square'),
      'x-forwarded-host': 'attacker.example',
      'x-forwarded-proto': 'https',
    });
    expect(spoofed.status).toBe(401);
  });
});

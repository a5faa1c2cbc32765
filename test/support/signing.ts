import { computeSquareSignature, type SignatureAlgorithm } from '@app/square';

export const NOTIFICATION_URL = 'https://hooks.example.com/webhooks/square';

/** Headers of a delivery signed the way Square signs it. */
export function signedHeaders(
  body: Buffer,
  key: string,
  url = NOTIFICATION_URL,
  algorithm: SignatureAlgorithm = 'sha256',
): Record<string, string> {
  const name = algorithm === 'sha256' ? 'x-square-hmacsha256-signature' : 'x-square-signature';
  return { 'content-type': 'application/json', [name]: computeSquareSignature(algorithm, key, url, body) };
}

/** A payment.updated body with its own event id, for tests that need many distinct events. */
export function paymentEventBody(
  eventId: string,
  paymentId = 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe',
  version = 3,
  merchantId = 'ML7Q2XK4ZP1N9',
): Buffer {
  return Buffer.from(
    JSON.stringify({
      merchant_id: merchantId,
      type: 'payment.updated',
      event_id: eventId,
      created_at: new Date().toISOString(),
      data: { type: 'payment', id: paymentId, object: { payment: { id: paymentId, status: 'COMPLETED', version } } },
    }),
  );
}

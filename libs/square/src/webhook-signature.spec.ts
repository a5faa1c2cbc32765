import { SIGNATURE_VECTORS } from '@app/testing';
import { computeSquareSignature, isValidSquareSignature } from './webhook-signature.js';

describe('Square webhook signatures', () => {
  describe.each(SIGNATURE_VECTORS.map((v) => [`${v.payload} @ ${v.notificationUrl}`, v] as const))('%s', (_, v) => {
    const body = Buffer.from(v.body, 'utf8');
    const sha256 = v['x-square-hmacsha256-signature'];
    const sha1 = v['x-square-signature'];

    it('computes the same signatures as the official SDK', () => {
      expect(computeSquareSignature('sha256', v.signatureKey, v.notificationUrl, body)).toBe(sha256);
      expect(computeSquareSignature('sha1', v.signatureKey, v.notificationUrl, body)).toBe(sha1);
    });

    it('accepts the vector', () => {
      expect(isValidSquareSignature('sha256', sha256, [v.signatureKey], v.notificationUrl, body)).toBe(true);
      expect(isValidSquareSignature('sha1', sha1, [v.signatureKey], v.notificationUrl, body)).toBe(true);
    });

    it('rejects the body with any single byte changed', () => {
      for (const index of [0, Math.floor(body.length / 2), body.length - 1]) {
        const tampered = Buffer.from(body);
        tampered[index] = tampered[index]! ^ 0x01;
        expect(isValidSquareSignature('sha256', sha256, [v.signatureKey], v.notificationUrl, tampered)).toBe(false);
      }
    });

    it('rejects the other trailing-slash form of the URL', () => {
      const other = v.notificationUrl.endsWith('/') ? v.notificationUrl.slice(0, -1) : `${v.notificationUrl}/`;
      expect(isValidSquareSignature('sha256', sha256, [v.signatureKey], other, body)).toBe(false);
    });

    it('rejects another key, and accepts when the right key is one of several', () => {
      expect(isValidSquareSignature('sha256', sha256, ['whsk_another_key'], v.notificationUrl, body)).toBe(false);
      expect(
        isValidSquareSignature('sha256', sha256, ['whsk_another_key', v.signatureKey], v.notificationUrl, body),
      ).toBe(true);
    });

    it('does not accept a SHA-1 signature as SHA-256 or the reverse', () => {
      expect(isValidSquareSignature('sha256', sha1, [v.signatureKey], v.notificationUrl, body)).toBe(false);
      expect(isValidSquareSignature('sha1', sha256, [v.signatureKey], v.notificationUrl, body)).toBe(false);
    });
  });

  it('rejects empty and malformed signatures', () => {
    const body = Buffer.from('{}');
    expect(isValidSquareSignature('sha256', '', ['k'], 'https://x', body)).toBe(false);
    expect(isValidSquareSignature('sha256', '!!!not base64!!!', ['k'], 'https://x', body)).toBe(false);
  });
});

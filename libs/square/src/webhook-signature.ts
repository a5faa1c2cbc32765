import { createHmac, timingSafeEqual } from 'node:crypto';

// Square signs base64(HMAC(key, notificationUrl + rawBody)): SHA-256 in
// x-square-hmacsha256-signature, SHA-1 in the legacy x-square-signature.
// https://developer.squareup.com/docs/webhooks/step3validate

export type SignatureAlgorithm = 'sha256' | 'sha1';

export const SIGNATURE_HEADERS: Record<SignatureAlgorithm, string> = {
  sha256: 'x-square-hmacsha256-signature',
  sha1: 'x-square-signature',
};

/** The bytes of each algorithm's HMAC: what a signature header must decode to. */
export const SIGNATURE_BYTES: Record<SignatureAlgorithm, number> = { sha256: 32, sha1: 20 };

/** Whether a header value decodes (base64, as Square sends it) to an HMAC of the algorithm's length. */
export function isSignatureOfLength(algorithm: SignatureAlgorithm, signature: string): boolean {
  return Buffer.from(signature.trim(), 'base64').length === SIGNATURE_BYTES[algorithm];
}

export function computeSquareSignature(
  algorithm: SignatureAlgorithm,
  key: string,
  notificationUrl: string,
  rawBody: Buffer,
): string {
  return hmac(algorithm, key, notificationUrl, rawBody).toString('base64');
}

/**
 * True when `signature` matches the body for at least one key. Every key is tried (no early
 * exit) and each comparison is constant-time, so timing reveals neither key nor signature.
 */
export function isValidSquareSignature(
  algorithm: SignatureAlgorithm,
  signature: string,
  keys: readonly string[],
  notificationUrl: string,
  rawBody: Buffer,
): boolean {
  const given = Buffer.from(signature.trim(), 'base64');
  let valid = false;
  for (const key of keys) {
    const expected = hmac(algorithm, key, notificationUrl, rawBody);
    // Lengths are public (fixed per algorithm); timingSafeEqual needs equal lengths.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid;
}

function hmac(algorithm: SignatureAlgorithm, key: string, notificationUrl: string, rawBody: Buffer): Buffer {
  return createHmac(algorithm, key).update(notificationUrl, 'utf8').update(rawBody).digest();
}

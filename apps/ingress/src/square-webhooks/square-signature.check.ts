import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookConfig } from '@app/config';
import {
  SIGNATURE_BYTES,
  SIGNATURE_HEADERS,
  type SignatureAlgorithm,
  isSignatureOfLength,
  isValidSquareSignature,
} from '@app/square';

/** The signature header a delivery is checked by, chosen from its headers alone. */
export type SignatureHeader =
  { ok: true; algorithm: SignatureAlgorithm; signature: string } | { ok: false; reason: string };
export type SignatureCheck = { ok: true; algorithm: SignatureAlgorithm } | { ok: false; reason: string };

/**
 * The signature header to check, or why there is none worth reading a body for: no header, or
 * one that does not decode to an HMAC of its algorithm's length (32 bytes for SHA-256, 20 for the
 * legacy SHA-1). The legacy header counts only when enabled, and never when a SHA-256 header is
 * present. Runs before the body is read, so that a request no key could match costs no body.
 */
export function squareSignatureHeader(headers: IncomingHttpHeaders, config: WebhookConfig): SignatureHeader {
  const sha256 = headerValue(headers, SIGNATURE_HEADERS.sha256);
  const sha1 = headerValue(headers, SIGNATURE_HEADERS.sha1);
  let algorithm: SignatureAlgorithm;
  let signature: string;
  if (sha256 !== undefined) {
    [algorithm, signature] = ['sha256', sha256];
  } else if (sha1 !== undefined && config.allowLegacySha1) {
    [algorithm, signature] = ['sha1', sha1];
  } else {
    return {
      ok: false,
      reason:
        sha1 !== undefined
          ? 'legacy x-square-signature received but SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1 is off'
          : 'no signature header',
    };
  }
  if (!isSignatureOfLength(algorithm, signature)) {
    return {
      ok: false,
      reason: `${SIGNATURE_HEADERS[algorithm]} does not decode to a ${SIGNATURE_BYTES[algorithm]}-byte HMAC`,
    };
  }
  return { ok: true, algorithm, signature };
}

/**
 * Whether the chosen header matches the body for one of the configured keys, computed over the
 * configured notification URL (never one rebuilt from Host or X-Forwarded-* headers).
 */
export function checkSquareSignature(
  header: SignatureHeader & { ok: true },
  body: Buffer,
  config: WebhookConfig,
): SignatureCheck {
  if (!isValidSquareSignature(header.algorithm, header.signature, config.signatureKeys, config.notificationUrl, body)) {
    return {
      ok: false,
      reason: `${header.algorithm} signature matches no configured key for the configured notification URL`,
    };
  }
  return { ok: true, algorithm: header.algorithm };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookConfig } from '@app/config';
import { SIGNATURE_HEADERS, type SignatureAlgorithm, isValidSquareSignature } from '@app/square';

export type SignatureCheck = { ok: true; algorithm: SignatureAlgorithm } | { ok: false; reason: string };

/**
 * Whether a delivery carries a Square signature that matches one of the configured keys, computed
 * over the configured notification URL (never one rebuilt from Host or X-Forwarded-* headers). The
 * legacy SHA-1 header counts only when enabled, and never when a SHA-256 header is present.
 */
export function checkSquareSignature(headers: IncomingHttpHeaders, body: Buffer, config: WebhookConfig): SignatureCheck {
  const sha256 = headerValue(headers, SIGNATURE_HEADERS.sha256);
  const sha1 = headerValue(headers, SIGNATURE_HEADERS.sha1);
  let algorithm: SignatureAlgorithm;
  let signature: string;
  if (sha256 !== undefined) {
    [algorithm, signature] = ['sha256', sha256];
  } else if (sha1 !== undefined && config.allowLegacySha1) {
    [algorithm, signature] = ['sha1', sha1];
  } else {
    return { ok: false, reason: sha1 !== undefined ? 'legacy x-square-signature received but SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1 is off' : 'no signature header' };
  }
  if (!isValidSquareSignature(algorithm, signature, config.signatureKeys, config.notificationUrl, body)) {
    return { ok: false, reason: `${algorithm} signature matches no configured key for the configured notification URL` };
  }
  return { ok: true, algorithm };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

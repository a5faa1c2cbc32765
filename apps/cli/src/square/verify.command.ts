import type { SquareCliConfig } from '@app/config';
import {
  describeSignatureMatch,
  diagnoseSquareSignature,
  signatureFix,
  type SignatureCheck,
  type SignatureDiagnosis,
} from '@app/square';
import { readEventSource } from './event-source.js';
import type { SquareCommand } from './square-args.js';
import { verificationKeys } from './signing-keys.js';

export type VerifyCommand = Extract<SquareCommand, { name: 'verify' }>;

const ALGORITHMS = { sha256: 'HMAC-SHA256', sha1: 'legacy HMAC-SHA1' } as const;

/** Says whether the signature is valid and, when it is not, which usual mistake explains it; 0 valid, 1 invalid. */
export function runVerify(cmd: VerifyCommand, config: SquareCliConfig): number {
  const source = readEventSource(cmd.bodyFile, config.invokedFrom ?? process.cwd());
  const check: SignatureCheck = {
    signature: cmd.signature,
    rawBody: source.body,
    notificationUrl: cmd.url ?? config.notificationUrl,
    algorithm: cmd.legacy ? 'sha1' : 'sha256',
    ...verificationKeys(cmd.keys, config),
  };
  const diagnosis = diagnoseSquareSignature(check);
  for (const line of verifyReport(diagnosis, check)) console.log(line);
  return diagnosis.valid ? 0 : 1;
}

export function verifyReport(d: SignatureDiagnosis, check: SignatureCheck): string[] {
  const what = `${ALGORITHMS[check.algorithm]} over ${check.notificationUrl} + the body (${check.rawBody.length} bytes)`;
  if (d.valid) return [`valid: ${what}, with ${d.matches[0]!.keyLabel}`];

  const checked = check.keys.map((k) => k.label).join(', ');
  if (d.signatureLooksLike === undefined) {
    const bytes = Buffer.from(check.signature, 'base64').length;
    return [
      `invalid: this is not a Square signature: base64 of 32 bytes (HMAC-SHA256) or 20 bytes (legacy HMAC-SHA1) expected, it decodes to ${bytes} bytes`,
      "Pass the signature header's value exactly as received.",
    ];
  }
  const lines = [`invalid: the signature is not ${what} with ${checked}`];
  // Different inputs do not share an HMAC: the first (simplest) match is the explanation.
  const match = d.matches[0];
  if (match !== undefined) {
    lines.push(
      'It would match with:',
      ...describeSignatureMatch(match).map((l) => `  - ${l}`),
      `To fix: ${signatureFix(match)}.`,
    );
  } else {
    const checkedKeys = new Set(check.keys.map((k) => k.key));
    const others = new Set((check.otherKeys ?? []).map((k) => k.key).filter((k) => !checkedKeys.has(k))).size;
    lines.push(
      `No usual cause explains it. Tried: the URL with and without a trailing slash, http and https; ${others} other key(s); ` +
        'the body with and without a trailing newline, re-serialized compactly and with 2 spaces; SHA-256 and SHA-1.',
      "Most likely the key is not this subscription's signature key, or the body is not the bytes Square sent.",
    );
    if (d.signatureLooksLike !== check.algorithm) {
      lines.push(
        `Note: the signature's length is that of a ${ALGORITHMS[d.signatureLooksLike]} signature${d.signatureLooksLike === 'sha1' ? ' (x-square-signature): check with --legacy' : ''}.`,
      );
    }
  }
  return lines;
}

import type { SignatureDiagnosis, SignatureMatch } from './signature-diagnosis.js';

// The diagnosis said to a person, in the same words wherever it is said (the ingress' rejection
// log, `square verify`): which variant would have matched, and which setting to change for it.

/** One line per cause; the URL changes read as one line naming the URL that matched. */
export function describeSignatureMatch(m: SignatureMatch): string[] {
  const url = m.changes.filter((c) => c.kind === 'url').map((c) => c.description.replace(/^the notification URL /, ''));
  const lines = url.length > 0 ? [`the notification URL ${url.join(' and ')}: ${m.notificationUrl}`] : [];
  return [...lines, ...m.changes.filter((c) => c.kind !== 'url').map((c) => c.description)];
}

/** What to change so that deliveries like this one verify: the variable to set, or why no setting here can. */
export function signatureFix(m: SignatureMatch): string {
  const fixes: string[] = [];
  const kinds = new Set(m.changes.map((c) => c.kind));
  if (kinds.has('url'))
    fixes.push(
      `set SQUARE_WEBHOOK_NOTIFICATION_URL to ${m.notificationUrl} (exactly the URL the subscription signs for)`,
    );
  if (kinds.has('key'))
    fixes.push(
      `the sender signs with ${m.keyLabel}: add its key to SQUARE_WEBHOOK_SIGNATURE_KEYS, or have it sign with a configured key`,
    );
  if (kinds.has('algorithm'))
    fixes.push(
      m.algorithm === 'sha1'
        ? 'the sender signs with legacy HMAC-SHA1: set SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1=true'
        : 'the sender sends its HMAC-SHA256 signature in the legacy header',
    );
  if (kinds.has('body'))
    fixes.push(
      'the sender changed the body after signing it: no setting here fixes that, sign the bytes that are sent',
    );
  return fixes.join('; ');
}

/** One line for a log: what would have matched and what to change, or that no usual cause explains it. */
export function explainSignatureMismatch(d: SignatureDiagnosis): { wouldMatch: string; fix: string } {
  const match = d.matches[0];
  if (match === undefined) {
    return {
      wouldMatch:
        'nothing usual (tried the URL with and without a trailing slash, http and https, the other known keys, a re-serialized body, SHA-1 and SHA-256)',
      fix: "most likely SQUARE_WEBHOOK_SIGNATURE_KEYS does not hold this subscription's signature key, or the sender is not Square",
    };
  }
  return { wouldMatch: describeSignatureMatch(match).join('; '), fix: signatureFix(match) };
}

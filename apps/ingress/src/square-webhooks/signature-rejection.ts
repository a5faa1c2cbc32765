import { DEV_SIGNATURE_KEY, type WebhookConfig } from '@app/config';
import { diagnoseSquareSignature, explainSignatureMismatch, type LabelledKey } from '@app/square';
import type { SignatureHeader } from './square-signature.check.js';

/** A delivery whose signature matched no configured key: what to say about it and keep of it. */
export interface SignatureRejection {
  header: SignatureHeader & { ok: true };
  body: Buffer;
}

/**
 * Which usual mistake would have made the signature match (the diagnosis `square verify` makes) and
 * the variable to change, in one sentence for the log. Dozens of HMACs: called only for the
 * rejections that are logged (a few a minute), never for each forgery of a flood.
 */
export function explainRejection(r: SignatureRejection, config: WebhookConfig): string {
  const keys: LabelledKey[] = config.signatureKeys.map((key, i) => ({
    label: `SQUARE_WEBHOOK_SIGNATURE_KEYS #${i + 1}`,
    key,
  }));
  // The development key is public: a sender using it is the usual local mistake. Its label never holds a key.
  const otherKeys: LabelledKey[] = [{ label: 'the development key', key: DEV_SIGNATURE_KEY }];
  const diagnosis = diagnoseSquareSignature({
    signature: r.header.signature,
    rawBody: r.body,
    notificationUrl: config.notificationUrl,
    algorithm: r.header.algorithm,
    keys,
    otherKeys,
  });
  const { wouldMatch, fix } = explainSignatureMismatch(diagnosis);
  return `it would match with ${wouldMatch}; to fix: ${fix}`;
}

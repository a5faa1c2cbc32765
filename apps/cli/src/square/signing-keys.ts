import { DEV_SIGNATURE_KEY, type SquareCliConfig } from '@app/config';
import type { LabelledKey } from '@app/square';

// Which keys the commands use, each with a name for messages: keys are secrets and are never
// printed, except the development key, which is public.

export function givenKeys(keys: readonly string[]): LabelledKey[] {
  return keys.map((key, i) => ({ label: keys.length === 1 ? '--key' : `--key #${i + 1}`, key }));
}

export function configuredKeys(config: SquareCliConfig): LabelledKey[] {
  if (config.defaulted.signatureKeys) return [developmentKey()];
  return config.signatureKeys.map((key, i) => ({ label: `SQUARE_WEBHOOK_SIGNATURE_KEYS #${i + 1}`, key }));
}

/** send and replay sign with one key: the first --key, else the first configured one (the new key while rotating). */
export function signingKey(keys: readonly string[], config: SquareCliConfig): LabelledKey {
  return (keys.length > 0 ? givenKeys(keys) : configuredKeys(config))[0]!;
}

/**
 * verify checks the --key keys (else the configured ones); when none matches, the configured
 * keys and the development key are worth trying too.
 */
export function verificationKeys(
  keys: readonly string[],
  config: SquareCliConfig,
): { keys: LabelledKey[]; otherKeys: LabelledKey[] } {
  if (keys.length === 0) return { keys: configuredKeys(config), otherKeys: [developmentKey()] };
  return { keys: givenKeys(keys), otherKeys: [...configuredKeys(config), developmentKey()] };
}

function developmentKey(): LabelledKey {
  return { label: `the development key ${DEV_SIGNATURE_KEY}`, key: DEV_SIGNATURE_KEY };
}

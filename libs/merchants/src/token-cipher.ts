import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Tokens at rest: AES-256-GCM (authenticated encryption) from Node's own crypto (OpenSSL), no
// library needed. A sealed value names the key it was sealed with, so TOKEN_ENCRYPTION_KEY can be
// rotated: the new key seals, old keys (TOKEN_ENCRYPTION_OLD_KEYS) still open, and
// `npm run merchants -- rotate-key` reseals everything with the new one. The associated data binds
// each value to its merchant and field: a sealed token copied to another row does not open.
//
//   v1.<key id: 12 hex of sha256(key)>.<iv, 12 bytes>.<ciphertext>.<tag, 16 bytes>   (base64url)

const VERSION = 'v1';
const IV_BYTES = 12;

export class TokenDecryptError extends Error {
  override name = 'TokenDecryptError';
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export class TokenCipher {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly current: Buffer,
    old: readonly Buffer[] = [],
  ) {
    this.currentId = keyIdOf(current);
    for (const key of [current, ...old]) this.keys.set(keyIdOf(key), key);
  }

  /** `context`: what the value is, e.g. "ML7Q2XK4ZP1N9/access": opening it needs the same. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv).setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentId,
      iv.toString('base64url'),
      sealed.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(value: string, context: string): string {
    const [version, keyId, iv, sealed, tag, ...rest] = value.split('.');
    if (
      version !== VERSION ||
      !keyId ||
      iv === undefined ||
      sealed === undefined ||
      tag === undefined ||
      rest.length > 0
    ) {
      throw new TokenDecryptError('not a sealed token');
    }
    const key = this.keys.get(keyId);
    if (!key)
      throw new TokenDecryptError(
        `sealed with key ${keyId}, which is neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_OLD_KEYS`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptError('the sealed token does not open: altered, or sealed for another merchant');
    }
  }

  /** Whether a sealed value is sealed with the current key (rotate-key reseals the others). */
  isCurrent(value: string): boolean {
    return value.split('.')[1] === this.currentId;
  }
}

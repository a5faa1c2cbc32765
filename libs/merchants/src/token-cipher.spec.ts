import { randomBytes } from 'node:crypto';
import { TokenCipher, TokenDecryptError, keyIdOf } from './token-cipher.js';

describe('TokenCipher', () => {
  const key = randomBytes(32);
  const cipher = new TokenCipher(key);

  it('seals and opens, never showing the token, differently each time', () => {
    const a = cipher.seal('EAAAl-secret-token', 'M1/access');
    const b = cipher.seal('EAAAl-secret-token', 'M1/access');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    expect(a.split('.')).toHaveLength(5);
    expect(a.split('.')[1]).toBe(keyIdOf(key));
    expect(cipher.open(a, 'M1/access')).toBe('EAAAl-secret-token');
  });

  it('refuses a value of another merchant or field, an altered one, and a foreign key', () => {
    const sealed = cipher.seal('tok', 'M1/access');
    expect(() => cipher.open(sealed, 'M2/access')).toThrow(TokenDecryptError);
    expect(() => cipher.open(sealed, 'M1/refresh')).toThrow(TokenDecryptError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.open(parts.join('.'), 'M1/access')).toThrow(/does not open/);
    expect(() => new TokenCipher(randomBytes(32)).open(sealed, 'M1/access')).toThrow(
      /neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_OLD_KEYS/,
    );
    expect(() => cipher.open('tok', 'M1/access')).toThrow(/not a sealed token/);
  });

  it('rotates: the new key seals, the old one still opens', () => {
    const old = cipher.seal('tok', 'M1/access');
    const rotated = new TokenCipher(randomBytes(32), [key]);
    expect(rotated.open(old, 'M1/access')).toBe('tok');
    expect(rotated.isCurrent(old)).toBe(false);
    const resealed = rotated.seal('tok', 'M1/access');
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(() => cipher.open(resealed, 'M1/access')).toThrow(TokenDecryptError);
  });
});

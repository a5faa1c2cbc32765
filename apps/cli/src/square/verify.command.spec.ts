import { loadSquareCliConfig } from '@app/config';
import { computeSquareSignature, diagnoseSquareSignature, type SignatureCheck } from '@app/square';
import { signingKey, verificationKeys } from './signing-keys.js';
import { verifyReport } from './verify.command.js';

const URL = 'https://hooks.example.com/webhooks/square';
const BODY = Buffer.from('{"type":"payment.updated","event_id":"e-1"}');

function report(
  signedWith: { url?: string; key?: string; algorithm?: 'sha256' | 'sha1' },
  check: Partial<SignatureCheck> = {},
): string[] {
  const full: SignatureCheck = {
    signature: computeSquareSignature(
      signedWith.algorithm ?? 'sha256',
      signedWith.key ?? 'k1',
      signedWith.url ?? URL,
      BODY,
    ),
    rawBody: BODY,
    notificationUrl: URL,
    algorithm: 'sha256',
    keys: [{ label: '--key', key: 'k1' }],
    ...check,
  };
  return verifyReport(diagnoseSquareSignature(full), full);
}

describe('verifyReport', () => {
  it('says valid, with what and which key', () => {
    expect(report({})).toEqual([`valid: HMAC-SHA256 over ${URL} + the body (${BODY.length} bytes), with --key`]);
  });

  it('names the cause and the URL that would have matched', () => {
    expect(report({ url: `${URL}/` })).toEqual([
      `invalid: the signature is not HMAC-SHA256 over ${URL} + the body (${BODY.length} bytes) with --key`,
      'It would match with:',
      `  - the notification URL with a trailing slash: ${URL}/`,
      `To fix: set SQUARE_WEBHOOK_NOTIFICATION_URL to ${URL}/ (exactly the URL the subscription signs for).`,
    ]);
  });

  it('names another key by its label, and combined causes one per line', () => {
    const lines = report(
      { key: 'k2' },
      {
        keys: [{ label: '--key', key: 'k0' }],
        otherKeys: [
          { label: 'A', key: 'k2' },
          { label: 'B', key: 'k2' },
        ],
      },
    );
    expect(lines).toEqual([
      expect.stringMatching(/^invalid/),
      'It would match with:',
      '  - signed with another key: A',
      expect.stringMatching(/^To fix: the sender signs with A: add its key to SQUARE_WEBHOOK_SIGNATURE_KEYS/),
    ]);
    expect(
      report(
        { key: 'k2', url: 'http://hooks.example.com/webhooks/square/', algorithm: 'sha1' },
        { otherKeys: [{ label: 'A', key: 'k2' }] },
      ).slice(2, 5),
    ).toEqual([
      '  - the notification URL with http instead of https and with a trailing slash: http://hooks.example.com/webhooks/square/',
      '  - signed with another key: A',
      '  - signed with HMAC-SHA1, the legacy x-square-signature, not HMAC-SHA256 (x-square-hmacsha256-signature)',
    ]);
  });

  it('says when nothing usual explains it, and hints at SHA-1 from the length', () => {
    const lines = report({ key: 'unknown', algorithm: 'sha1' });
    expect(lines[1]).toMatch(/^No usual cause explains it\. .*0 other key\(s\)/);
    expect(lines[3]).toMatch(/legacy HMAC-SHA1 signature \(x-square-signature\): check with --legacy/);
  });

  it('says when the signature is not one at all', () => {
    expect(report({}, { signature: 'hello' })[0]).toMatch(/not a Square signature.*decodes to 3 bytes/);
  });
});

describe('signing keys', () => {
  it('sign with --key, else the first configured key, else the development key', () => {
    const configured = loadSquareCliConfig({ SQUARE_WEBHOOK_SIGNATURE_KEYS: 'new,old' });
    expect(signingKey(['given', 'other'], configured)).toEqual({ label: '--key #1', key: 'given' });
    expect(signingKey([], configured)).toEqual({ label: 'SQUARE_WEBHOOK_SIGNATURE_KEYS #1', key: 'new' });
    expect(signingKey([], loadSquareCliConfig({}))).toEqual({
      label: 'the development key whsk_local_development_key',
      key: 'whsk_local_development_key',
    });
  });

  it('verify checks the given keys and keeps the configured ones and the development key as other candidates', () => {
    const { keys, otherKeys } = verificationKeys(
      ['given'],
      loadSquareCliConfig({ SQUARE_WEBHOOK_SIGNATURE_KEYS: 'new,old' }),
    );
    expect(keys.map((k) => k.key)).toEqual(['given']);
    expect(otherKeys.map((k) => k.key)).toEqual(['new', 'old', 'whsk_local_development_key']);
    expect(
      verificationKeys([], loadSquareCliConfig({ SQUARE_WEBHOOK_SIGNATURE_KEYS: 'new,old' })).keys.map((k) => k.label),
    ).toEqual(['SQUARE_WEBHOOK_SIGNATURE_KEYS #1', 'SQUARE_WEBHOOK_SIGNATURE_KEYS #2']);
  });
});

import fc from 'fast-check';
import { SIGNATURE_VECTORS } from '@app/testing';
import { diagnoseSquareSignature, type SignatureCheck } from './signature-diagnosis.js';
import { computeSquareSignature } from './webhook-signature.js';

const URL = 'https://hooks.example.com/webhooks/square';
const KEY = 'whsk_the_right_key';
const BODY = Buffer.from(
  '{"merchant_id":"ML7Q2XK4ZP1N9","type":"payment.updated","event_id":"e-1","data":{"id":"p-1","amount":2450}}',
);
const right = { label: '--key #1', key: KEY };
const wrong = { label: '--key #1', key: 'whsk_a_wrong_key' };

function check(
  overrides: Partial<SignatureCheck> & {
    signedWith?: { url?: string; key?: string; body?: Buffer | string; algorithm?: 'sha256' | 'sha1' };
  },
): SignatureCheck {
  const s = overrides.signedWith ?? {};
  const body = typeof s.body === 'string' ? Buffer.from(s.body) : (s.body ?? BODY);
  return {
    signature: computeSquareSignature(s.algorithm ?? 'sha256', s.key ?? KEY, s.url ?? URL, body),
    rawBody: BODY,
    notificationUrl: URL,
    algorithm: 'sha256',
    keys: [right],
    ...overrides,
  };
}

const descriptions = (c: SignatureCheck) => diagnoseSquareSignature(c).matches[0]?.changes.map((x) => x.description);

describe('diagnoseSquareSignature', () => {
  it('is valid for the signature Square computes, naming the key that matched', () => {
    const d = diagnoseSquareSignature(check({ keys: [wrong, { label: '--key #2', key: KEY }] }));
    expect(d.valid).toBe(true);
    expect(d.matches[0]).toEqual({
      notificationUrl: URL,
      keyLabel: '--key #2',
      algorithm: 'sha256',
      bodyForm: 'as given',
      changes: [],
    });
  });

  it.each(SIGNATURE_VECTORS.map((v) => [`${v.payload} @ ${v.notificationUrl}`, v] as const))(
    'accepts the SDK vector %s in both algorithms',
    (_, v) => {
      const base = {
        rawBody: Buffer.from(v.body),
        notificationUrl: v.notificationUrl,
        keys: [{ label: 'k', key: v.signatureKey }],
      };
      expect(
        diagnoseSquareSignature({ ...base, algorithm: 'sha256', signature: v['x-square-hmacsha256-signature'] }).valid,
      ).toBe(true);
      expect(diagnoseSquareSignature({ ...base, algorithm: 'sha1', signature: v['x-square-signature'] }).valid).toBe(
        true,
      );
    },
  );

  it('finds a trailing slash that Square signed and the check lacks, and the reverse', () => {
    const signed = check({ signedWith: { url: `${URL}/` } });
    const d = diagnoseSquareSignature(signed);
    expect(d.valid).toBe(false);
    expect(d.matches[0]).toMatchObject({
      notificationUrl: `${URL}/`,
      changes: [{ kind: 'url', description: 'the notification URL with a trailing slash' }],
    });
    expect(descriptions(check({ notificationUrl: `${URL}/` }))).toEqual([
      'the notification URL without its trailing slash',
    ]);
  });

  it('toggles the slash of the path, not after a query string', () => {
    const url = 'https://hooks.example.com/square?tenant=7';
    const d = diagnoseSquareSignature(
      check({ notificationUrl: url, signedWith: { url: 'https://hooks.example.com/square/?tenant=7' } }),
    );
    expect(d.matches[0]?.notificationUrl).toBe('https://hooks.example.com/square/?tenant=7');
  });

  it('finds http vs https, alone and together with a trailing slash', () => {
    expect(descriptions(check({ signedWith: { url: 'http://hooks.example.com/webhooks/square' } }))).toEqual([
      'the notification URL with http instead of https',
    ]);
    const both = diagnoseSquareSignature(
      check({
        notificationUrl: 'http://localhost:3000/webhooks/square/',
        signedWith: { url: 'https://localhost:3000/webhooks/square' },
      }),
    );
    expect(both.matches[0]?.notificationUrl).toBe('https://localhost:3000/webhooks/square');
    expect(both.matches[0]?.changes.map((c) => c.description)).toEqual([
      'the notification URL with https instead of http',
      'the notification URL without its trailing slash',
    ]);
  });

  it('finds another configured key, named by its label and never by its value', () => {
    const d = diagnoseSquareSignature(
      check({ keys: [wrong], otherKeys: [{ label: 'SQUARE_WEBHOOK_SIGNATURE_KEYS #2', key: KEY }] }),
    );
    expect(d.valid).toBe(false);
    expect(d.matches[0]).toMatchObject({ keyLabel: 'SQUARE_WEBHOOK_SIGNATURE_KEYS #2', changes: [{ kind: 'key' }] });
    expect(JSON.stringify(d)).not.toContain(KEY);
  });

  it('finds a trailing newline an editor added to the body file', () => {
    expect(descriptions(check({ rawBody: Buffer.concat([BODY, Buffer.from('\n')]) }))).toEqual([
      'the body without its trailing newline (an editor may have added it)',
    ]);
    expect(diagnoseSquareSignature(check({ signedWith: { body: `${BODY.toString()}\n` } })).matches[0]?.bodyForm).toBe(
      'with trailing newline',
    );
  });

  it('finds a body that was pretty-printed after Square signed it', () => {
    const pretty = Buffer.from(`${JSON.stringify(JSON.parse(BODY.toString()), null, 2)}\n`);
    const d = diagnoseSquareSignature(check({ rawBody: pretty }));
    expect(d.matches[0]?.bodyForm).toBe('compact');
    expect(d.matches[0]?.changes[0]?.description).toMatch(/re-serialized compactly.*raw bytes/);
  });

  it('finds a signature computed over a re-serialized body (2 spaces, with or without newline)', () => {
    const pretty = JSON.stringify(JSON.parse(BODY.toString()), null, 2);
    expect(diagnoseSquareSignature(check({ signedWith: { body: pretty } })).matches[0]?.bodyForm).toBe('pretty');
    expect(diagnoseSquareSignature(check({ signedWith: { body: `${pretty}\n` } })).matches[0]?.bodyForm).toBe(
      'pretty with trailing newline',
    );
  });

  it('finds a legacy SHA-1 signature checked as SHA-256, and the reverse', () => {
    const d = diagnoseSquareSignature(check({ signedWith: { algorithm: 'sha1' } }));
    expect(d.signatureLooksLike).toBe('sha1');
    expect(d.matches[0]).toMatchObject({ algorithm: 'sha1', changes: [{ kind: 'algorithm' }] });
    expect(diagnoseSquareSignature(check({ algorithm: 'sha1' })).matches[0]).toMatchObject({
      algorithm: 'sha256',
      changes: [{ kind: 'algorithm' }],
    });
  });

  it('combines causes, fewest changes first', () => {
    const d = diagnoseSquareSignature(
      check({
        keys: [wrong],
        otherKeys: [right],
        rawBody: Buffer.from(`${BODY.toString()}\n`),
        signedWith: { url: `${URL}/`, algorithm: 'sha1' },
      }),
    );
    expect(d.matches[0]?.changes.map((c) => c.kind)).toEqual(['url', 'key', 'body', 'algorithm']);
  });

  it('explains nothing when the body was really changed, or the key is unknown', () => {
    const tampered = Buffer.from(BODY.toString().replace('2450', '2451'));
    expect(diagnoseSquareSignature(check({ rawBody: tampered }))).toEqual({
      valid: false,
      matches: [],
      signatureLooksLike: 'sha256',
    });
    expect(diagnoseSquareSignature(check({ keys: [wrong] })).matches).toEqual([]);
  });

  it('says when the signature cannot be a Square signature at all', () => {
    expect(diagnoseSquareSignature(check({ signature: 'not-a-signature' }))).toEqual({
      valid: false,
      matches: [],
      signatureLooksLike: undefined,
    });
  });

  it('handles a body that is not JSON', () => {
    const text = Buffer.from('merchant=1&type=x');
    expect(diagnoseSquareSignature(check({ rawBody: text, signedWith: { body: text } })).valid).toBe(true);
    expect(diagnoseSquareSignature(check({ rawBody: text, signedWith: { body: 'other' } })).matches).toEqual([]);
  });

  it('agrees with the signature for any URL, key and body, and finds any slash toggle', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.string({ minLength: 1 }), fc.uint8Array({ maxLength: 200 }), (url, key, bytes) => {
        const body = Buffer.from(bytes);
        const signature = computeSquareSignature('sha256', key, url, body);
        const base = { signature, rawBody: body, algorithm: 'sha256' as const, keys: [{ label: 'k', key }] };
        expect(diagnoseSquareSignature({ ...base, notificationUrl: url }).valid).toBe(true);
        const cut = url.search(/[?#]/);
        const [path, rest] = cut < 0 ? [url, ''] : [url.slice(0, cut), url.slice(cut)];
        const toggled = path.endsWith('/') ? path.slice(0, -1) + rest : `${path}/${rest}`;
        const d = diagnoseSquareSignature({ ...base, notificationUrl: toggled });
        expect(d.valid).toBe(false);
        expect(d.matches[0]).toMatchObject({ notificationUrl: url, changes: [{ kind: 'url' }] });
      }),
      { numRuns: 200 },
    );
  });
});

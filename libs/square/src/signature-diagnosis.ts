import {
  SIGNATURE_BYTES,
  isSignatureOfLength,
  isValidSquareSignature,
  type SignatureAlgorithm,
} from './webhook-signature.js';

// Why a Square signature does not verify. Square signs base64(HMAC(key, notificationUrl + rawBody)),
// so any difference in the key, the URL, the body bytes or the algorithm changes the whole
// signature and nothing in it points at the culprit. Instead we try the differences people
// actually make — trailing slash, http vs https, another key of the rotation, a re-serialized
// body, SHA-1 vs SHA-256 — in every combination, and report which ones would have matched.

export interface LabelledKey {
  /** How to name the key to a person (keys are secrets and are never printed). */
  label: string;
  key: string;
}

export interface SignatureCheck {
  signature: string;
  rawBody: Buffer;
  notificationUrl: string;
  algorithm: SignatureAlgorithm;
  /** The keys being checked: a match with any of them is valid, as in the ingress. */
  keys: readonly LabelledKey[];
  /** More keys worth trying when the check fails (e.g. the other configured keys). */
  otherKeys?: readonly LabelledKey[];
}

export type SignatureChangeKind = 'url' | 'key' | 'body' | 'algorithm';

export interface SignatureChange {
  kind: SignatureChangeKind;
  description: string;
}

export type BodyForm =
  | 'as given'
  | 'without trailing newline'
  | 'with trailing newline'
  | 'compact'
  | 'compact with trailing newline'
  | 'pretty'
  | 'pretty with trailing newline';

export interface SignatureMatch {
  notificationUrl: string;
  keyLabel: string;
  algorithm: SignatureAlgorithm;
  bodyForm: BodyForm;
  /** What differs from the check as given; empty for the match that makes it valid. */
  changes: SignatureChange[];
}

export interface SignatureDiagnosis {
  valid: boolean;
  /** Every combination that matches, fewest changes first; empty when no usual cause explains it. */
  matches: SignatureMatch[];
  /** The algorithm the signature's length implies (32 bytes SHA-256, 20 SHA-1); undefined for neither. */
  signatureLooksLike: SignatureAlgorithm | undefined;
}

interface Variant<T> {
  value: T;
  changes: SignatureChange[];
}

const ALGORITHM_NAMES: Record<SignatureAlgorithm, string> = {
  sha256: 'HMAC-SHA256 (x-square-hmacsha256-signature)',
  sha1: 'HMAC-SHA1, the legacy x-square-signature',
};

export function diagnoseSquareSignature(check: SignatureCheck): SignatureDiagnosis {
  const signatureLooksLike = (Object.keys(SIGNATURE_BYTES) as SignatureAlgorithm[]).find((a) =>
    isSignatureOfLength(a, check.signature),
  );
  if (signatureLooksLike === undefined) return { valid: false, matches: [], signatureLooksLike };

  const [urls, bodies, keys] = [
    urlVariants(check.notificationUrl),
    bodyVariants(check.rawBody),
    keyVariants(check.keys, check.otherKeys ?? []),
  ];
  const matches: SignatureMatch[] = [];
  for (const algorithm of algorithmVariants(check.algorithm)) {
    for (const url of urls) {
      for (const body of bodies) {
        for (const key of keys) {
          if (!isValidSquareSignature(algorithm.value, check.signature, [key.value.key], url.value, body.value.bytes))
            continue;
          matches.push({
            notificationUrl: url.value,
            keyLabel: key.value.label,
            algorithm: algorithm.value,
            bodyForm: body.value.form,
            changes: [...url.changes, ...key.changes, ...body.changes, ...algorithm.changes],
          });
        }
      }
    }
  }
  // A stable sort: among equally many changes, the order of the loops above.
  matches.sort((a, b) => a.changes.length - b.changes.length);
  return { valid: matches[0]?.changes.length === 0, matches, signatureLooksLike };
}

function algorithmVariants(given: SignatureAlgorithm): Variant<SignatureAlgorithm>[] {
  const other: SignatureAlgorithm = given === 'sha256' ? 'sha1' : 'sha256';
  return [
    { value: given, changes: [] },
    {
      value: other,
      changes: [
        { kind: 'algorithm', description: `signed with ${ALGORITHM_NAMES[other]}, not ${ALGORITHM_NAMES[given]}` },
      ],
    },
  ];
}

function urlVariants(url: string): Variant<string>[] {
  // Only the path's trailing slash is toggled; a query string or fragment stays where it is.
  const cut = url.search(/[?#]/);
  const [base, rest] = cut < 0 ? [url, ''] : [url.slice(0, cut), url.slice(cut)];
  const variants: Variant<string>[] = [{ value: url, changes: [] }];
  if (base.endsWith('/'))
    variants.push({ value: base.slice(0, -1) + rest, changes: [urlChange('without its trailing slash')] });
  const added = base.endsWith('/') ? 'with one more trailing slash' : 'with a trailing slash';
  variants.push({ value: `${base}/${rest}`, changes: [urlChange(added)] });
  const scheme = /^https:/i.test(url) ? ['https', 'http'] : /^http:/i.test(url) ? ['http', 'https'] : undefined;
  if (scheme !== undefined) {
    const [given, other] = scheme as [string, string];
    const change = urlChange(`with ${other} instead of ${given}`);
    for (const v of [...variants])
      variants.push({ value: v.value.replace(/^https?:/i, `${other}:`), changes: [change, ...v.changes] });
  }
  return variants;
}

function urlChange(what: string): SignatureChange {
  return { kind: 'url', description: `the notification URL ${what}` };
}

function keyVariants(keys: readonly LabelledKey[], otherKeys: readonly LabelledKey[]): Variant<LabelledKey>[] {
  const variants: Variant<LabelledKey>[] = keys.map((k) => ({ value: k, changes: [] }));
  const tried = new Set(keys.map((k) => k.key));
  for (const k of otherKeys) {
    if (tried.has(k.key)) continue;
    tried.add(k.key);
    variants.push({ value: k, changes: [{ kind: 'key', description: `signed with another key: ${k.label}` }] });
  }
  return variants;
}

function bodyVariants(raw: Buffer): Variant<{ form: BodyForm; bytes: Buffer }>[] {
  const text = raw.toString('utf8');
  const trimmed = text.replace(/(\r?\n)+$/, '');
  const forms: Array<[BodyForm, string | Buffer, string | undefined]> = [
    ['as given', raw, undefined],
    text === trimmed
      ? ['with trailing newline', `${text}\n`, 'the body with a trailing newline added']
      : ['without trailing newline', trimmed, 'the body without its trailing newline (an editor may have added it)'],
  ];
  const parsed = parseJson(text);
  if (parsed.ok) {
    const compact = JSON.stringify(parsed.value);
    const pretty = JSON.stringify(parsed.value, null, 2);
    const why = 'verify the raw bytes as received, never a parsed and re-serialized copy';
    forms.push(
      ['compact', compact, `the body re-serialized compactly (JSON.stringify): ${why}`],
      [
        'compact with trailing newline',
        `${compact}\n`,
        `the body re-serialized compactly, with a trailing newline: ${why}`,
      ],
      ['pretty', pretty, `the body re-serialized with 2-space indentation: ${why}`],
      [
        'pretty with trailing newline',
        `${pretty}\n`,
        `the body re-serialized with 2-space indentation and a trailing newline: ${why}`,
      ],
    );
  }
  const variants: Variant<{ form: BodyForm; bytes: Buffer }>[] = [];
  for (const [form, content, description] of forms) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    // Equal bytes are one candidate, named by the simplest form (e.g. a compact body as given).
    if (variants.some((v) => v.value.bytes.equals(bytes))) continue;
    variants.push({
      value: { form, bytes },
      changes: description === undefined ? [] : [{ kind: 'body', description }],
    });
  }
  return variants;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

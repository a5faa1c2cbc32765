import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = join(here, '..', 'fixtures');

/** A raw body exactly as Square sends it (test/fixtures/square/<name>). */
export function fixtureBody(name: string): Buffer {
  return readFileSync(join(FIXTURES_DIR, 'square', name));
}

export interface SignatureVector {
  payload: string;
  signatureKey: string;
  notificationUrl: string;
  body: string;
  'x-square-hmacsha256-signature': string;
  'x-square-signature': string;
}

/** Signatures checked against Square's official SDK (copied from ../shared/fixtures). */
export const SIGNATURE_VECTORS: SignatureVector[] = JSON.parse(
  readFileSync(join(FIXTURES_DIR, 'square-signature-vectors.json'), 'utf8'),
).cases;

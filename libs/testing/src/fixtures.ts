import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Square's bodies exactly as Square sends them, and signature vectors checked against Square's
// official SDK (copied from the workplace's shared fixtures, so the project tests from its own
// clone). Found from this module's location, the same from libs/testing/src (Jest) and dist/.
export const FIXTURES_DIR = join(projectRoot(dirname(fileURLToPath(import.meta.url))), 'libs', 'testing', 'fixtures');

/** A raw body exactly as Square sends it (libs/testing/fixtures/square/<name>). */
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

export const SIGNATURE_VECTORS = (
  JSON.parse(readFileSync(join(FIXTURES_DIR, 'square-signature-vectors.json'), 'utf8')) as { cases: SignatureVector[] }
).cases;

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

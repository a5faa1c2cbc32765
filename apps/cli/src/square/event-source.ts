import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The sample events live as plain JSON files in apps/cli/samples (readable, and a template to
// copy). `nest build` does not copy them into dist/, so they are found from this module's own
// location: up to the project root (the first directory with a package.json), which is the same
// from apps/cli/src/square (ts-jest) and dist/apps/cli/src/square (the built CLI), and does not
// depend on the working directory.
export const SAMPLES_DIR = join(projectRoot(dirname(fileURLToPath(import.meta.url))), 'apps', 'cli', 'samples');

export interface EventSource {
  body: Buffer;
  /** "sample payment.updated" or the file's path, for messages. */
  origin: string;
}

export function listSamples(dir = SAMPLES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * A bare name (no path separator) that names a sample is that sample; anything else is a file,
 * relative to `baseDir`. So `payment.updated` is always the sample, and a file of that name in
 * the current directory is `./payment.updated`.
 */
export function readEventSource(source: string, baseDir: string, dir = SAMPLES_DIR): EventSource {
  if (!/[\\/]/.test(source)) {
    const name = source.replace(/\.json$/, '');
    if (listSamples(dir).includes(name))
      return { body: readFileSync(join(dir, `${name}.json`)), origin: `sample ${name}` };
  }
  const path = resolve(baseDir, source);
  if (!existsSync(path)) {
    const samples = listSamples(dir);
    throw new Error(
      `no sample and no file named "${source}"${samples.length > 0 ? ` (samples: ${samples.join(', ')})` : ''}`,
    );
  }
  return { body: readFileSync(path), origin: path };
}

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

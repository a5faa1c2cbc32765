// Module hooks of loaded-modules.mjs (they run on a thread of their own): each resolved URL is
// appended to the file as it is imported.
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

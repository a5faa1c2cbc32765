import { parseArgs, type ParseArgsConfig } from 'node:util';

// One argument style for every CLI (square, events, migrate): node:util parseArgs, strict. Anything
// malformed is a UsageError, which the mains print as one line and exit 2 on.

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict parsing: an unknown option, a missing value or a wrong type is a UsageError. */
export function parseStrict<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages go on with advice about '--'; the first sentence is the useful part.
    throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

/** Refuses options the command does not take (parseArgs only knows the union of all commands'). */
export function onlyOptions(command: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(given)) {
    if (name !== 'help' && !allowed.includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
}

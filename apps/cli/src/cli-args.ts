import { ConfigError } from '@app/config';
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

/** An ISO 8601 time with its zone: a zone-less one would be read in the machine's own. */
export function isoTime(option: string, value: string): Date {
  const at = new Date(value);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ||
    Number.isNaN(at.getTime())
  ) {
    throw new UsageError(`${option} must be an ISO 8601 time with a zone, e.g. 2026-11-20T00:00:00Z (got "${value}")`);
  }
  return at;
}

/** Refuses options the command does not take (parseArgs only knows the union of all commands'). */
export function onlyOptions(command: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(given)) {
    if (name !== 'help' && !allowed.includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
}

/**
 * Runs a CLI's main and exits with its code. Never a stack trace: a UsageError is one line and
 * exit 2 (with where --help is), a configuration error its message, anything else `name: message`
 * (or the message alone for the error classes in `plain`), exit 1.
 */
export function runCli(
  name: string,
  helpCommand: string,
  main: (argv: string[]) => Promise<number>,
  plain: ReadonlyArray<abstract new (...args: never[]) => Error> = [],
): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`${name}: ${err.message}\nRun \`${helpCommand} --help\` for usage.`);
        process.exit(2);
      }
      const message = (err as Error)?.message ?? String(err);
      console.error(
        err instanceof ConfigError || plain.some((type) => err instanceof type) ? message : `${name}: ${message}`,
      );
      process.exit(1);
    },
  );
}

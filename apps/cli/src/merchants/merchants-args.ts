import { UsageError, isoTime, onlyOptions, parseStrict } from '../cli-args.js';

// The command line of `npm run merchants -- <command>` (strict: an unknown command or option is a
// UsageError, exit 2). A token given as `-` is read from standard input (one line each, access
// token first), which keeps it out of the shell history and the process list.

export type MerchantsCommand =
  | { name: 'help' }
  | {
      name: 'add';
      merchantId: string;
      accessToken: string;
      refreshToken: string | undefined;
      expiresAt: Date | undefined;
      scopes: string[];
    }
  | { name: 'list' }
  | { name: 'remove'; merchantId: string }
  | { name: 'rotate-key' };

const OPTIONS = {
  'access-token': { type: 'string' },
  'refresh-token': { type: 'string' },
  'expires-at': { type: 'string' },
  scopes: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMANDS = ['add', 'list', 'remove', 'rotate-key'] as const;
const ALLOWED: Record<(typeof COMMANDS)[number], readonly string[]> = {
  add: ['access-token', 'refresh-token', 'expires-at', 'scopes'],
  list: [],
  remove: [],
  'rotate-key': [],
};

export const MERCHANTS_USAGE = `usage: npm run merchants -- <command>

  add <merchantId> --access-token <token|-> [--refresh-token <token|->] [--expires-at <ISO time>]
      [--scopes A,B]
      store a seller's OAuth tokens (sealed with TOKEN_ENCRYPTION_KEY), then replay its events
      that were dead-lettered waiting for them. "-" reads the token from standard input, one
      line each (access token first): it stays out of the shell history and the process list.
  list                  the merchants, their status, expiry and last refresh (never a token)
  remove <merchantId>   forget a merchant's tokens (its events then use SQUARE_ACCESS_TOKEN, if set)
  rotate-key            reseal every token with TOKEN_ENCRYPTION_KEY, after moving the old key to
                        TOKEN_ENCRYPTION_OLD_KEYS

Settings (DATABASE_URL, TOKEN_ENCRYPTION_KEY, TOKEN_ENCRYPTION_OLD_KEYS, REDIS_URL, QUEUE_PREFIX)
come from the environment or .env. Exit codes: 0 done, 1 failed or unknown merchant, 2 usage.`;

export function parseMerchantsArgs(argv: readonly string[]): MerchantsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { name: 'help' };
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parseStrict(rest, OPTIONS);
  if (values.help) return { name: 'help' };
  onlyOptions(command, values, ALLOWED[command]);
  if (command === 'list' || command === 'rotate-key') {
    if (positionals.length > 0) throw new UsageError(`${command} takes no arguments`);
    return { name: command };
  }
  if (positionals.length !== 1 || !/^[A-Za-z0-9_-]{1,64}$/.test(positionals[0]!))
    throw new UsageError(`${command} needs one merchant id (Square's, e.g. ML7Q2XK4ZP1N9)`);
  const merchantId = positionals[0]!;
  if (command === 'remove') return { name: command, merchantId };
  const accessToken = values['access-token']?.trim();
  if (!accessToken) throw new UsageError('add needs --access-token <token> (or - to read it from standard input)');
  const refreshToken = values['refresh-token']?.trim() || undefined;
  const expiresAt = values['expires-at'] === undefined ? undefined : isoTime('--expires-at', values['expires-at']);
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { name: command, merchantId, accessToken, refreshToken, expiresAt, scopes };
}

function isCommand(value: string): value is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(value);
}

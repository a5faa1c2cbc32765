import { isEventTypeFilter, isLoopbackHost } from '@app/config';
import { UsageError, onlyOptions, parseStrict } from '../cli-args.js';

// The command line of `npm run square -- <command>`, parsed into one typed command. Anything
// malformed is a UsageError (exit 2); defaults from the environment are applied later, by the
// commands, so that parsing stays pure.

export type SquareCommand =
  | { name: 'help' }
  | {
      name: 'send';
      /** A sample name (payment.updated) or a file path. */
      source: string;
      url: string | undefined;
      to: string | undefined;
      keys: string[];
      newId: boolean;
      legacy: boolean;
    }
  | { name: 'verify-last'; keys: string[] }
  | {
      name: 'trigger';
      type: string;
      sets: string[];
      merchant: string | undefined;
      count: number;
      to: string | undefined;
      url: string | undefined;
      keys: string[];
    }
  | { name: 'verify'; bodyFile: string; signature: string; url: string | undefined; keys: string[]; legacy: boolean }
  | { name: 'replay'; eventId: string; to: string; url: string | undefined; keys: string[]; legacy: boolean }
  | { name: 'listen'; port: number; secret: string | undefined; status: number }
  | { name: 'listen-forward'; forwardTo: string; events: string[]; secret: string | undefined }
  | { name: 'subscriptions'; action: 'list' }
  | { name: 'subscriptions'; action: 'sync'; dryRun: boolean }
  | { name: 'subscriptions'; action: 'test'; waitMs: number }
  | { name: 'subscriptions'; action: 'rotate-key' }
  | { name: 'events'; action: 'enable' };

export { UsageError };

const OPTIONS = {
  url: { type: 'string' },
  to: { type: 'string' },
  key: { type: 'string', multiple: true },
  signature: { type: 'string' },
  'new-id': { type: 'boolean' },
  legacy: { type: 'boolean' },
  last: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  merchant: { type: 'string' },
  count: { type: 'string' },
  port: { type: 'string' },
  secret: { type: 'string' },
  status: { type: 'string' },
  'forward-to': { type: 'string' },
  events: { type: 'string', multiple: true },
  'allow-remote': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

const COMMANDS = ['send', 'verify', 'replay', 'listen', 'trigger', 'subscriptions', 'events'] as const;
const SUBSCRIPTION_ACTIONS = ['list', 'sync', 'test', 'rotate-key'] as const;

const ALLOWED: Record<(typeof COMMANDS)[number], readonly OptionName[]> = {
  send: ['url', 'to', 'key', 'new-id', 'legacy'],
  verify: ['url', 'key', 'signature', 'legacy', 'last'],
  replay: ['url', 'to', 'key', 'legacy'],
  listen: ['port', 'secret', 'status', 'forward-to', 'events', 'allow-remote'],
  subscriptions: ['dry-run', 'wait'],
  events: [],
  trigger: ['set', 'merchant', 'count', 'to', 'url', 'key'],
};

export function parseSquareArgs(argv: readonly string[]): SquareCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { name: 'help' };
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);

  const { values, positionals } = parseStrict(rest, OPTIONS);
  if (values.help) return { name: 'help' };
  onlyOptions(command, values, ALLOWED[command]);
  const url = values.url === undefined ? undefined : httpUrl('--url', values.url);
  const to = values.to === undefined ? undefined : httpUrl('--to', values.to);
  // Repeated --key and comma-separated lists both work, as in SQUARE_WEBHOOK_SIGNATURE_KEYS.
  const keys = (values.key ?? [])
    .flatMap((k) => k.split(','))
    .map((k) => k.trim())
    .filter(Boolean);
  if (values.key !== undefined && keys.length === 0) throw new UsageError('--key is empty');
  const legacy = values.legacy ?? false;

  switch (command) {
    case 'listen': {
      if (positionals.length > 0) throw new UsageError(`listen takes no arguments (got ${positionals.join(' ')})`);
      const secret = values.secret?.trim();
      if (secret !== undefined && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret))
        throw new UsageError('--secret must be a Standard Webhooks secret: whsec_ followed by base64');
      if (values['forward-to'] !== undefined)
        return listenForward(values['forward-to'], values.events, secret, values['allow-remote'] ?? false, values);
      for (const option of ['events', 'allow-remote'] as const) {
        if (values[option] !== undefined) throw new UsageError(`--${option} goes with --forward-to <url>`);
      }
      return {
        name: 'listen',
        port: whole('--port', values.port ?? '4000', 0, 65_535),
        secret,
        status: whole('--status', values.status ?? '200', 200, 599),
      };
    }
    case 'send':
      return {
        name: 'send',
        source: one(positionals, 'a sample name or a body file'),
        url,
        to,
        keys,
        newId: values['new-id'] ?? false,
        legacy,
      };
    case 'verify': {
      if (values.last) {
        if (positionals.length > 0 || values.signature !== undefined || values.url !== undefined || values.legacy)
          throw new UsageError('verify --last takes only --key (the delivery brings its body, signature and URL)');
        return { name: 'verify-last', keys };
      }
      if (values.signature === undefined || values.signature.trim() === '')
        throw new UsageError('verify needs --signature <the x-square-hmacsha256-signature header>');
      return {
        name: 'verify',
        bodyFile: one(positionals, 'the body file'),
        signature: values.signature.trim(),
        url,
        keys,
        legacy,
      };
    }
    case 'subscriptions':
      return subscriptions(positionals, values['dry-run'], values.wait);
    case 'events':
      if (one(positionals, 'what to do with the Events API: enable') !== 'enable')
        throw new UsageError(`unknown events action "${positionals[0]}" (enable)`);
      return { name: 'events', action: 'enable' };
    case 'trigger':
      return {
        name: 'trigger',
        type: one(positionals, 'an event type, e.g. payment.updated'),
        sets: values.set ?? [],
        merchant: values.merchant?.trim() || undefined,
        count: whole('--count', values.count ?? '1', 1, 1000),
        to,
        url,
        keys,
      };
    case 'replay':
      if (to === undefined) throw new UsageError('replay needs --to <url to POST to>');
      return { name: 'replay', eventId: one(positionals, 'an event id'), to, url, keys, legacy };
  }
}

/**
 * `listen --forward-to <url>`: the pipeline forwards to <url> while it runs. Loopback only unless
 * --allow-remote: the worker sends real events (customers' data) there, signed with a secret printed
 * on a terminal, and a pipeline reachable by a developer's CLI may be a shared or production one.
 */
function listenForward(
  url: string,
  events: string[] | undefined,
  secret: string | undefined,
  allowRemote: boolean,
  values: { port?: string; status?: string },
): SquareCommand {
  if (values.port !== undefined || values.status !== undefined)
    throw new UsageError('--port and --status are for listen without --forward-to (the local receiver)');
  if (secret !== undefined && Buffer.from(secret.slice('whsec_'.length), 'base64').length < 24)
    throw new UsageError('--secret must hold at least 24 random bytes (or leave it out: one is made for you)');
  const forwardTo = httpUrl('--forward-to', url);
  const host = new URL(forwardTo).hostname;
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new UsageError(
      `--forward-to must name this machine (localhost, 127.0.0.1, [::1]); ${host} is not: add --allow-remote to forward real events there`,
    );
  }
  // Repeated --events and comma-separated lists both work; none means every type.
  const types = (events ?? ['*'])
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  if (types.length === 0) throw new UsageError('--events is empty');
  const bad = types.find((t) => !isEventTypeFilter(t));
  if (bad !== undefined) throw new UsageError(`--events: "${bad}" is not an event type, a prefix like payment.* or *`);
  return { name: 'listen-forward', forwardTo, events: [...new Set(types)], secret };
}

function subscriptions(positionals: string[], dryRun: boolean | undefined, wait: string | undefined): SquareCommand {
  const action = one(positionals, `a subscriptions action: ${SUBSCRIPTION_ACTIONS.join(', ')}`);
  if (!(SUBSCRIPTION_ACTIONS as readonly string[]).includes(action))
    throw new UsageError(`unknown subscriptions action "${action}" (${SUBSCRIPTION_ACTIONS.join(', ')})`);
  if (dryRun !== undefined && action !== 'sync')
    throw new UsageError(`subscriptions ${action} does not take --dry-run`);
  if (wait !== undefined && action !== 'test') throw new UsageError(`subscriptions ${action} does not take --wait`);
  if (action === 'test')
    return { name: 'subscriptions', action, waitMs: whole('--wait', wait ?? '30000', 100, 600_000) };
  if (action === 'sync') return { name: 'subscriptions', action, dryRun: dryRun ?? false };
  return { name: 'subscriptions', action: action as 'list' | 'rotate-key' };
}

function isCommand(value: string): value is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(value);
}

function whole(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}

function one(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1)
    throw new UsageError(`expected one argument (${what}), got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

function httpUrl(option: string, value: string): string {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new UsageError(`${option} must be an http:// or https:// URL (got "${value}")`);
  // Never normalized: the exact characters are what a signature is computed over.
  return value;
}

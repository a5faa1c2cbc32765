import { parseDurationMs } from '@app/config';
import { UsageError, isoTime, onlyOptions, parseStrict } from '../cli-args.js';
import {
  DESTINATIONS_COMMANDS,
  DESTINATIONS_USAGE,
  parseDestinationsArgs,
  type DestinationsCommand,
} from './destinations-args.js';

// The command line of `npm run events -- <command>`, parsed into one typed command (strict: an
// unknown command or option is a UsageError, exit 2).

export type EventsCommand =
  | { name: 'help' }
  | { name: 'replay'; eventIds: string[]; deadLettered: boolean }
  | {
      name: 'replay-matching';
      filter: { types: string[]; merchantIds: string[]; since?: Date; until?: Date };
      ratePerSecond: number;
      dryRun: boolean;
    }
  | { name: 'replay-delivery'; deliveryIds: string[]; destination: string | undefined }
  | { name: 'backfill'; since: Date; until: Date | undefined; types: string[] }
  | { name: 'purge'; olderThanMs: number; deadLettered: boolean; dryRun: boolean }
  | {
      name: 'rerun';
      handler: string;
      since: Date;
      until: Date | undefined;
      types: string[];
      dryRun: boolean;
      refetch: boolean;
    }
  | { name: 'erase'; subject: { customerId: string } | { email: string } | { merchantId: string } }
  | DestinationsCommand;

const OPTIONS = {
  'dead-lettered': { type: 'boolean' },
  destination: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  types: { type: 'string' },
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'customer-id': { type: 'string' },
  status: { type: 'string' },
  type: { type: 'string' },
  merchant: { type: 'string' },
  rate: { type: 'string' },
  'merchant-id': { type: 'string' },
  email: { type: 'string' },
  handler: { type: 'string' },
  refetch: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED = {
  replay: ['dead-lettered', 'status', 'type', 'merchant', 'since', 'until', 'rate', 'dry-run'],
  'replay-delivery': ['destination'],
  backfill: ['since', 'until', 'types'],
  purge: ['older-than', 'dead-lettered', 'dry-run'],
  erase: ['customer-id', 'email', 'merchant-id'],
  rerun: ['handler', 'since', 'until', 'type', 'dry-run', 'refetch'],
} as const;
const COMMANDS = Object.keys(ALLOWED) as Array<keyof typeof ALLOWED>;

export const EVENTS_USAGE = `usage: npm run events -- <command>

  replay <eventId> [<eventId>…]   put these dead-lettered events back to received; the worker
                                  processes them again (an id not in the inbox is an error)
  replay --dead-lettered          the same for every dead-lettered event (up to 10 000 per run)
  replay --status dead_lettered [--type a,b] [--merchant m,n] [--since <ISO>] [--until <ISO>]
         [--rate <events/s>] [--dry-run]
                                  every dead-lettered event these match, oldest first, at most
                                  --rate a second (default 100: live traffic keeps the workers);
                                  --dry-run only counts them

  replay-delivery <deliveryId> [<deliveryId>…]
                                  send these dead-lettered forward deliveries again, on a fresh
                                  retry schedule (same body and webhook-id)
  replay-delivery --destination <name>
                                  the same for every dead-lettered delivery to that destination

  backfill --since <ISO time> [--until <ISO time>] [--types a,b]
                                  search Square's Events API for that range (default until now;
                                  Square keeps 28 days) and store every event the inbox lacks,
                                  to be processed as delivered ones; prints found, present, recovered

  purge --older-than <30d|12h> [--dead-lettered] [--dry-run]
                                  empty the bodies of processed and ignored events older than that
                                  (their rows stay: redeliveries are still duplicates), and delete
                                  finished deliveries and invalid bodies; --dead-lettered purges
                                  dead-lettered events too, with their dead-letter queue entries
                                  (they can no longer be replayed);
                                  --dry-run only counts. Prints what it removes.
  erase --customer-id <id> | --email <address> | --merchant-id <id>
                                  for a personal-data request: empty the event bodies and delete the
                                  mirrored objects, payments, refunds, deliveries and invalid bodies
                                  that hold that customer's id, that address (a guest checkout's
                                  buyer_email_address, a customer's email_address; any case) or that
                                  seller's data; scrub every stored error text that names it; remove
                                  the jobs, dead-letter entries and queue event-stream entries in
                                  Redis that name it or belong to erased events. Prints what it
                                  removed, per store. Exit 1: something is left (an event still
                                  being processed, Redis unreachable): run it again
${DESTINATIONS_USAGE}

  rerun --handler <name> --since <ISO> [--until <ISO>] [--type a,b] [--dry-run] [--refetch]
                                  apply one of your handlers (SQUARE_EVENT_HANDLERS) to the processed
                                  events received in that range, with the object the mirror holds
                                  (--refetch: retrieved again from Square with SQUARE_ACCESS_TOKEN);
                                  each event at most once per handler, ever (live events included):
                                  a second run applies nothing, a killed run resumes

Settings (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, FORWARD_DESTINATIONS_FILE, and for backfill
SQUARE_ACCESS_TOKEN, SQUARE_ENVIRONMENT) come from the environment or .env. Exit codes: 0 done, 1 failed or an unknown event or delivery, 2 usage.`;

export function parseEventsArgs(argv: readonly string[]): EventsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { name: 'help' };
  if (DESTINATIONS_COMMANDS.includes(command)) return parseDestinationsArgs(command, rest);
  if (!(COMMANDS as string[]).includes(command)) throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parseStrict(rest, OPTIONS);
  if (values.help) return { name: 'help' };
  onlyOptions(command, values, ALLOWED[command as keyof typeof ALLOWED]);
  if ((command === 'purge' || command === 'erase') && positionals.length > 0)
    throw new UsageError(`${command} takes no arguments, only options`);
  if (command === 'purge') {
    if (values['older-than'] === undefined) throw new UsageError('purge needs --older-than <age>, e.g. 30d or 12h');
    return {
      name: 'purge',
      olderThanMs: age('--older-than', values['older-than']),
      deadLettered: values['dead-lettered'] ?? false,
      dryRun: values['dry-run'] ?? false,
    };
  }
  if (command === 'erase') {
    const customerId = values['customer-id']?.trim();
    const email = values.email?.trim();
    const merchantId = values['merchant-id']?.trim();
    if ([customerId, email, merchantId].filter(Boolean).length !== 1)
      throw new UsageError('erase needs one of --customer-id <id>, --email <address> or --merchant-id <id>');
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email))
      throw new UsageError(`--email must be an address like name@example.com (got "${email}")`);
    return { name: 'erase', subject: customerId ? { customerId } : email ? { email } : { merchantId: merchantId! } };
  }
  if (command === 'backfill') {
    if (positionals.length > 0) throw new UsageError('backfill takes no arguments, only --since, --until and --types');
    if (values.since === undefined)
      throw new UsageError('backfill needs --since <ISO time>, e.g. 2026-11-20T00:00:00Z');
    const since = isoTime('--since', values.since);
    const until = values.until === undefined ? undefined : isoTime('--until', values.until);
    if (until && until <= since) throw new UsageError('--until must be after --since');
    const types = (values.types ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    return { name: 'backfill', since, until, types };
  }
  if (command === 'rerun') {
    if (positionals.length > 0)
      throw new UsageError('rerun takes no arguments, only --handler, --since, --until, --type and --dry-run');
    const handler = values.handler?.trim();
    if (!handler) throw new UsageError('rerun needs --handler <name> (a handler of SQUARE_EVENT_HANDLERS)');
    if (values.since === undefined) throw new UsageError('rerun needs --since <ISO time>, e.g. 2026-11-20T00:00:00Z');
    const since = isoTime('--since', values.since);
    const until = values.until === undefined ? undefined : isoTime('--until', values.until);
    if (until && until <= since) throw new UsageError('--until must be after --since');
    const types = (values.type ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    return {
      name: 'rerun',
      handler,
      since,
      until,
      types,
      dryRun: values['dry-run'] ?? false,
      refetch: values.refetch ?? false,
    };
  }
  if (command === 'replay-delivery') {
    const destination = values.destination?.trim();
    if (values.destination !== undefined && !destination) throw new UsageError('--destination is empty');
    if (destination && positionals.length > 0)
      throw new UsageError('replay-delivery takes delivery ids or --destination, not both');
    if (!destination && positionals.length === 0)
      throw new UsageError('replay-delivery needs delivery ids, or --destination <name>');
    return { name: 'replay-delivery', deliveryIds: positionals, destination };
  }
  const filtering = ['status', 'type', 'merchant', 'since', 'until', 'rate', 'dry-run'].some(
    (o) => values[o as keyof typeof values] !== undefined,
  );
  if (filtering) {
    if (positionals.length > 0 || values['dead-lettered'])
      throw new UsageError(
        'replay takes event ids, --dead-lettered, or a filter (--status dead_lettered …), one of them',
      );
    if (values.status !== 'dead_lettered')
      throw new UsageError(
        'a replay by filter needs --status dead_lettered: only dead-lettered events are replayed (processed ones have had their effect)',
      );
    const csv = (v: string | undefined) =>
      (v ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    const since = values.since === undefined ? undefined : isoTime('--since', values.since);
    const until = values.until === undefined ? undefined : isoTime('--until', values.until);
    const rate = values.rate === undefined ? 100 : Number(values.rate);
    if (!(Number.isInteger(rate) && rate >= 1 && rate <= 10_000))
      throw new UsageError(`--rate must be a whole number of events a second from 1 to 10000 (got "${values.rate}")`);
    return {
      name: 'replay-matching',
      filter: { types: csv(values.type), merchantIds: csv(values.merchant), since, until },
      ratePerSecond: rate,
      dryRun: values['dry-run'] ?? false,
    };
  }
  const deadLettered = values['dead-lettered'] ?? false;
  if (deadLettered && positionals.length > 0)
    throw new UsageError('replay takes event ids or --dead-lettered, not both');
  if (!deadLettered && positionals.length === 0) throw new UsageError('replay needs event ids, or --dead-lettered');
  return { name: 'replay', eventIds: positionals, deadLettered };
}

/** An age like 30d, 12h or 45m (at least an hour: younger bodies may still be needed). */
function age(option: string, value: string): number {
  const ms = /[dhm]$/.test(value.trim()) ? parseDurationMs(value) : NaN;
  if (!(ms >= 3_600_000))
    throw new UsageError(`${option} must be an age of at least an hour, like 30d, 12h or 90m (got "${value}")`);
  return ms;
}

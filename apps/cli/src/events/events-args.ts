import { UsageError, onlyOptions, parseStrict } from '../cli-args.js';

// The command line of `npm run events -- <command>`, parsed into one typed command (strict: an
// unknown command or option is a UsageError, exit 2).

export type EventsCommand =
  | { name: 'help' }
  | { name: 'replay'; eventIds: string[]; deadLettered: boolean }
  | { name: 'replay-delivery'; deliveryIds: string[]; destination: string | undefined }
  | { name: 'backfill'; since: Date; until: Date | undefined; types: string[] };

const OPTIONS = {
  'dead-lettered': { type: 'boolean' },
  destination: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  types: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED = { replay: ['dead-lettered'], 'replay-delivery': ['destination'], backfill: ['since', 'until', 'types'] } as const;

export const EVENTS_USAGE = `usage: npm run events -- <command>

  replay <eventId> [<eventId>…]   put these dead-lettered events back to received; the worker
                                  processes them again (an id not in the inbox is an error)
  replay --dead-lettered          the same for every dead-lettered event (up to 10 000 per run)

  replay-delivery <deliveryId> [<deliveryId>…]
                                  send these dead-lettered forward deliveries again, on a fresh
                                  retry schedule (same body and webhook-id)
  replay-delivery --destination <name>
                                  the same for every dead-lettered delivery to that destination

  backfill --since <ISO time> [--until <ISO time>] [--types a,b]
                                  search Square's Events API for that range (default until now;
                                  Square keeps 28 days) and store every event the inbox lacks,
                                  to be processed as delivered ones; prints found, present, recovered

Settings (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, FORWARD_DESTINATIONS_FILE, and for backfill
SQUARE_ACCESS_TOKEN, SQUARE_ENVIRONMENT) come from the environment or .env. Exit codes: 0 done, 1 failed or an unknown event or delivery, 2 usage.`;

export function parseEventsArgs(argv: readonly string[]): EventsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { name: 'help' };
  if (command !== 'replay' && command !== 'replay-delivery' && command !== 'backfill') throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parseStrict(rest, OPTIONS);
  if (values.help) return { name: 'help' };
  onlyOptions(command, values, ALLOWED[command]);
  if (command === 'backfill') {
    if (positionals.length > 0) throw new UsageError('backfill takes no arguments, only --since, --until and --types');
    if (values.since === undefined) throw new UsageError('backfill needs --since <ISO time>, e.g. 2026-11-20T00:00:00Z');
    const since = isoTime('--since', values.since);
    const until = values.until === undefined ? undefined : isoTime('--until', values.until);
    if (until && until <= since) throw new UsageError('--until must be after --since');
    const types = (values.types ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    return { name: 'backfill', since, until, types };
  }
  if (command === 'replay-delivery') {
    const destination = values.destination?.trim();
    if (values.destination !== undefined && !destination) throw new UsageError('--destination is empty');
    if (destination && positionals.length > 0) throw new UsageError('replay-delivery takes delivery ids or --destination, not both');
    if (!destination && positionals.length === 0) throw new UsageError('replay-delivery needs delivery ids, or --destination <name>');
    return { name: 'replay-delivery', deliveryIds: positionals, destination };
  }
  const deadLettered = values['dead-lettered'] ?? false;
  if (deadLettered && positionals.length > 0) throw new UsageError('replay takes event ids or --dead-lettered, not both');
  if (!deadLettered && positionals.length === 0) throw new UsageError('replay needs event ids, or --dead-lettered');
  return { name: 'replay', eventIds: positionals, deadLettered };
}

/** An ISO 8601 time with its zone: a zone-less one would be read in the machine's own. */
function isoTime(option: string, value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError(`${option} must be an ISO 8601 time with a zone, e.g. 2026-11-20T00:00:00Z (got "${value}")`);
  }
  return at;
}

import { UsageError, onlyOptions, parseStrict } from '../cli-args.js';

// `npm run events -- destinations …` and `deliveries retry-now …`: forwarding destinations, their
// state, and what an operator does to them.

export type DestinationsCommand =
  | { name: 'destinations' }
  | { name: 'destinations-pause'; destination: string; reason: string | null }
  | { name: 'destinations-resume'; destination: string }
  | { name: 'retry-now'; destination: string | undefined; ids: string[] };

export const DESTINATIONS_USAGE = `
  destinations                    every forwarding destination: state (healthy, failing, paused),
                                  since when, backlog, last error, success rate and p50/p99
                                  latency over the last 5 and 60 minutes
  destinations pause <name> [--reason <text>]
                                  send nothing to it until resumed (its deliveries wait; none is
                                  dead-lettered for being paused)
  destinations resume <name>      send its backlog (a destination that was failing is probed first)
  deliveries retry-now [--destination <name>] [--id <deliveryId> …]
                                  pending deliveries due now (all of them without options); a
                                  failing destination is probed first`;

export const DESTINATIONS_COMMANDS = ['destinations', 'deliveries'];

export function isDestinationsCommand(command: { name: string }): command is DestinationsCommand {
  return ['destinations', 'destinations-pause', 'destinations-resume', 'retry-now'].includes(command.name);
}

const OPTIONS = {
  reason: { type: 'string' },
  destination: { type: 'string' },
  id: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDestinationsArgs(
  command: string,
  rest: readonly string[],
): DestinationsCommand | { name: 'help' } {
  const { values, positionals } = parseStrict(rest, OPTIONS);
  if (values.help) return { name: 'help' };
  const [sub, ...args] = positionals;
  if (command === 'deliveries') {
    if (sub !== 'retry-now')
      throw new UsageError(`unknown command "deliveries ${sub ?? ''}"; did you mean "deliveries retry-now"?`);
    onlyOptions('deliveries retry-now', values, ['destination', 'id']);
    if (args.length > 0)
      throw new UsageError('deliveries retry-now takes --destination <name> or --id <deliveryId>, not arguments');
    const destination = values.destination?.trim();
    if (values.destination !== undefined && !destination) throw new UsageError('--destination is empty');
    const ids = values.id ?? [];
    if (destination && ids.length > 0)
      throw new UsageError('deliveries retry-now takes --destination or --id, not both');
    return { name: 'retry-now', destination, ids };
  }
  if (sub === undefined) {
    onlyOptions('destinations', values, []);
    return { name: 'destinations' };
  }
  if (sub !== 'pause' && sub !== 'resume')
    throw new UsageError(`unknown command "destinations ${sub}"; it is pause or resume`);
  onlyOptions(`destinations ${sub}`, values, sub === 'pause' ? ['reason'] : []);
  if (args.length !== 1) throw new UsageError(`destinations ${sub} needs one destination name`);
  return sub === 'pause'
    ? { name: 'destinations-pause', destination: args[0]!, reason: values.reason?.trim() || null }
    : { name: 'destinations-resume', destination: args[0]! };
}

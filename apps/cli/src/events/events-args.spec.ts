import { UsageError } from '../cli-args.js';
import { parseEventsArgs } from './events-args.js';

const usageError = (argv: string[]) => {
  try {
    parseEventsArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
};

describe('parseEventsArgs', () => {
  it('asks for help without a command, with help, --help or -h anywhere', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['replay', '--help'], ['replay', 'e-1', '-h']]) {
      expect(parseEventsArgs(argv)).toEqual({ name: 'help' });
    }
  });

  it('parses replay of ids, and of every dead-lettered event', () => {
    expect(parseEventsArgs(['replay', 'e-1', 'e-2'])).toEqual({ name: 'replay', eventIds: ['e-1', 'e-2'], deadLettered: false });
    expect(parseEventsArgs(['replay', '--dead-lettered'])).toEqual({ name: 'replay', eventIds: [], deadLettered: true });
  });

  it('parses replay-delivery of ids, and of a destination\'s dead letters', () => {
    expect(parseEventsArgs(['replay-delivery', '12', '13'])).toEqual({ name: 'replay-delivery', deliveryIds: ['12', '13'], destination: undefined });
    expect(parseEventsArgs(['replay-delivery', '--destination', 'orders'])).toEqual({ name: 'replay-delivery', deliveryIds: [], destination: 'orders' });
    expect(usageError(['replay-delivery'])).toBe('replay-delivery needs delivery ids, or --destination <name>');
    expect(usageError(['replay-delivery', '12', '--destination', 'orders'])).toBe('replay-delivery takes delivery ids or --destination, not both');
    expect(usageError(['replay-delivery', '--destination', ' '])).toBe('--destination is empty');
    expect(usageError(['replay-delivery', '--dead-lettered'])).toBe('replay-delivery does not take --dead-lettered');
    expect(usageError(['replay', '--destination', 'orders'])).toBe('replay does not take --destination');
  });

  it('parses backfill, refusing what Square could not search', () => {
    expect(parseEventsArgs(['backfill', '--since', '2026-11-20T00:00:00Z'])).toEqual({ name: 'backfill', since: new Date('2026-11-20T00:00:00Z'), until: undefined, types: [] });
    expect(parseEventsArgs(['backfill', '--since', '2026-11-20T00:00:00+01:00', '--until', '2026-11-21T00:00:00Z', '--types', 'payment.updated, refund.updated'])).toEqual({
      name: 'backfill', since: new Date('2026-11-19T23:00:00Z'), until: new Date('2026-11-21T00:00:00Z'), types: ['payment.updated', 'refund.updated'],
    });
    expect(usageError(['backfill'])).toBe('backfill needs --since <ISO time>, e.g. 2026-11-20T00:00:00Z');
    expect(usageError(['backfill', '--since', '2026-11-20'])).toMatch(/--since must be an ISO 8601 time with a zone/);
    expect(usageError(['backfill', '--since', '2026-11-20T00:00:00Z', '--until', '2026-11-19T00:00:00Z'])).toBe('--until must be after --since');
    expect(usageError(['backfill', '--since', '2026-11-20T00:00:00Z', 'x'])).toMatch(/takes no arguments/);
  });

  it('refuses unknown commands and options, and replay without a target or with both', () => {
    expect(usageError(['purge'])).toBe('unknown command "purge"');
    expect(usageError(['replay', '--dead-letterd'])).toContain("Unknown option '--dead-letterd'");
    expect(usageError(['replay'])).toBe('replay needs event ids, or --dead-lettered');
    expect(usageError(['replay', 'e-1', '--dead-lettered'])).toBe('replay takes event ids or --dead-lettered, not both');
  });
});

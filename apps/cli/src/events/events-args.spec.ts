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
    expect(parseEventsArgs(['replay', 'e-1', 'e-2'])).toEqual({
      name: 'replay',
      eventIds: ['e-1', 'e-2'],
      deadLettered: false,
    });
    expect(parseEventsArgs(['replay', '--dead-lettered'])).toEqual({
      name: 'replay',
      eventIds: [],
      deadLettered: true,
    });
  });

  it("parses replay-delivery of ids, and of a destination's dead letters", () => {
    expect(parseEventsArgs(['replay-delivery', '12', '13'])).toEqual({
      name: 'replay-delivery',
      deliveryIds: ['12', '13'],
      destination: undefined,
    });
    expect(parseEventsArgs(['replay-delivery', '--destination', 'orders'])).toEqual({
      name: 'replay-delivery',
      deliveryIds: [],
      destination: 'orders',
    });
    expect(usageError(['replay-delivery'])).toBe('replay-delivery needs delivery ids, or --destination <name>');
    expect(usageError(['replay-delivery', '12', '--destination', 'orders'])).toBe(
      'replay-delivery takes delivery ids or --destination, not both',
    );
    expect(usageError(['replay-delivery', '--destination', ' '])).toBe('--destination is empty');
    expect(usageError(['replay-delivery', '--dead-lettered'])).toBe('replay-delivery does not take --dead-lettered');
    expect(usageError(['replay', '--destination', 'orders'])).toBe('replay does not take --destination');
  });

  it('parses backfill, refusing what Square could not search', () => {
    expect(parseEventsArgs(['backfill', '--since', '2026-11-20T00:00:00Z'])).toEqual({
      name: 'backfill',
      since: new Date('2026-11-20T00:00:00Z'),
      until: undefined,
      types: [],
    });
    expect(
      parseEventsArgs([
        'backfill',
        '--since',
        '2026-11-20T00:00:00+01:00',
        '--until',
        '2026-11-21T00:00:00Z',
        '--types',
        'payment.updated, refund.updated',
      ]),
    ).toEqual({
      name: 'backfill',
      since: new Date('2026-11-19T23:00:00Z'),
      until: new Date('2026-11-21T00:00:00Z'),
      types: ['payment.updated', 'refund.updated'],
    });
    expect(usageError(['backfill'])).toBe('backfill needs --since <ISO time>, e.g. 2026-11-20T00:00:00Z');
    expect(usageError(['backfill', '--since', '2026-11-20'])).toMatch(/--since must be an ISO 8601 time with a zone/);
    expect(usageError(['backfill', '--since', '2026-11-20T00:00:00Z', '--until', '2026-11-19T00:00:00Z'])).toBe(
      '--until must be after --since',
    );
    expect(usageError(['backfill', '--since', '2026-11-20T00:00:00Z', 'x'])).toMatch(/takes no arguments/);
  });

  it('parses rerun, refusing it without a handler or a start', () => {
    expect(
      parseEventsArgs([
        'rerun',
        '--handler',
        'mark-paid',
        '--since',
        '2026-11-01T00:00:00Z',
        '--type',
        'payment.created,payment.updated',
        '--dry-run',
      ]),
    ).toEqual({
      name: 'rerun',
      handler: 'mark-paid',
      since: new Date('2026-11-01T00:00:00Z'),
      until: undefined,
      types: ['payment.created', 'payment.updated'],
      dryRun: true,
      refetch: false,
    });
    expect(usageError(['rerun', '--since', '2026-11-01T00:00:00Z'])).toMatch(/needs --handler/);
    expect(usageError(['rerun', '--handler', 'x'])).toMatch(/needs --since/);
    expect(
      usageError(['rerun', '--handler', 'x', '--since', '2026-11-02T00:00:00Z', '--until', '2026-11-01T00:00:00Z']),
    ).toMatch(/--until must be after --since/);
  });

  it('parses a replay by filter, at a rate', () => {
    expect(
      parseEventsArgs([
        'replay',
        '--status',
        'dead_lettered',
        '--type',
        'payment.updated',
        '--since',
        '2026-11-01T00:00:00Z',
        '--dry-run',
      ]),
    ).toEqual({
      name: 'replay-matching',
      filter: {
        types: ['payment.updated'],
        merchantIds: [],
        since: new Date('2026-11-01T00:00:00Z'),
        until: undefined,
      },
      ratePerSecond: 100,
      dryRun: true,
    });
    expect(
      parseEventsArgs(['replay', '--status', 'dead_lettered', '--merchant', 'M1,M2', '--rate', '500']),
    ).toMatchObject({ filter: { merchantIds: ['M1', 'M2'] }, ratePerSecond: 500, dryRun: false });
    expect(usageError(['replay', '--type', 'payment.updated'])).toMatch(/needs --status dead_lettered/);
    expect(usageError(['replay', '--status', 'processed'])).toMatch(/only dead-lettered events are replayed/);
    expect(usageError(['replay', 'e-1', '--status', 'dead_lettered'])).toMatch(/one of them/);
    expect(usageError(['replay', '--status', 'dead_lettered', '--rate', '0'])).toMatch(/--rate must be/);
  });

  it('parses purge and erase', () => {
    expect(parseEventsArgs(['purge', '--older-than', '30d'])).toEqual({
      name: 'purge',
      olderThanMs: 30 * 86_400_000,
      deadLettered: false,
      dryRun: false,
    });
    expect(parseEventsArgs(['purge', '--older-than', '12h', '--dead-lettered', '--dry-run'])).toEqual({
      name: 'purge',
      olderThanMs: 12 * 3_600_000,
      deadLettered: true,
      dryRun: true,
    });
    expect(usageError(['purge'])).toBe('purge needs --older-than <age>, e.g. 30d or 12h');
    expect(usageError(['purge', '--older-than', '10m'])).toMatch(/at least an hour/);
    expect(usageError(['purge', '--older-than', 'a month'])).toMatch(/like 30d, 12h or 90m/);
    expect(parseEventsArgs(['erase', '--customer-id', 'CUST1'])).toEqual({
      name: 'erase',
      subject: { customerId: 'CUST1' },
    });
    expect(parseEventsArgs(['erase', '--merchant-id', 'M1'])).toEqual({ name: 'erase', subject: { merchantId: 'M1' } });
    expect(parseEventsArgs(['erase', '--email', 'Guest@Example.com'])).toEqual({
      name: 'erase',
      subject: { email: 'Guest@Example.com' },
    });
    const one = 'erase needs one of --customer-id <id>, --email <address> or --merchant-id <id>';
    expect(usageError(['erase'])).toBe(one);
    expect(usageError(['erase', '--customer-id', 'C', '--merchant-id', 'M'])).toBe(one);
    expect(usageError(['erase', '--customer-id', 'C', '--email', 'a@b.c'])).toBe(one);
    expect(usageError(['erase', '--email', 'not-an-address'])).toBe(
      '--email must be an address like name@example.com (got "not-an-address")',
    );
  });

  it('refuses unknown commands and options, and replay without a target or with both', () => {
    expect(usageError(['compact'])).toBe('unknown command "compact"');
    expect(usageError(['replay', '--dead-letterd'])).toContain("Unknown option '--dead-letterd'");
    expect(usageError(['replay'])).toBe('replay needs event ids, or --dead-lettered');
    expect(usageError(['replay', 'e-1', '--dead-lettered'])).toBe(
      'replay takes event ids or --dead-lettered, not both',
    );
  });

  it('parses the destinations commands and retry-now', () => {
    expect(parseEventsArgs(['destinations'])).toEqual({ name: 'destinations' });
    expect(parseEventsArgs(['destinations', 'pause', 'crm', '--reason', 'migration'])).toEqual({
      name: 'destinations-pause',
      destination: 'crm',
      reason: 'migration',
    });
    expect(parseEventsArgs(['destinations', 'resume', 'crm'])).toEqual({
      name: 'destinations-resume',
      destination: 'crm',
    });
    expect(parseEventsArgs(['deliveries', 'retry-now'])).toEqual({
      name: 'retry-now',
      destination: undefined,
      ids: [],
    });
    expect(parseEventsArgs(['deliveries', 'retry-now', '--id', '1', '--id', '2'])).toEqual({
      name: 'retry-now',
      destination: undefined,
      ids: ['1', '2'],
    });
    expect(usageError(['destinations', 'pause'])).toBe('destinations pause needs one destination name');
    expect(usageError(['destinations', 'resume', 'crm', '--reason', 'x'])).toBe(
      'destinations resume does not take --reason',
    );
    expect(usageError(['destinations', 'stop', 'crm'])).toMatch(/unknown command "destinations stop"/);
    expect(usageError(['deliveries', 'retry-now', '--destination', 'crm', '--id', '1'])).toBe(
      'deliveries retry-now takes --destination or --id, not both',
    );
  });
});

import { UsageError } from '../cli-args.js';
import { parseMerchantsArgs } from './merchants-args.js';

const usageError = (argv: string[]) => {
  try {
    parseMerchantsArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
};

describe('parseMerchantsArgs', () => {
  it('parses add with its options, list, remove and rotate-key', () => {
    expect(
      parseMerchantsArgs([
        'add',
        'M1',
        '--access-token',
        'EAAA1',
        '--refresh-token',
        'r1',
        '--expires-at',
        '2027-01-01T00:00:00Z',
        '--scopes',
        'PAYMENTS_READ, ORDERS_READ',
      ]),
    ).toEqual({
      name: 'add',
      merchantId: 'M1',
      accessToken: 'EAAA1',
      refreshToken: 'r1',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
      scopes: ['PAYMENTS_READ', 'ORDERS_READ'],
    });
    expect(parseMerchantsArgs(['add', 'M1', '--access-token', '-'])).toMatchObject({
      accessToken: '-',
      refreshToken: undefined,
      expiresAt: undefined,
      scopes: [],
    });
    expect(parseMerchantsArgs(['list'])).toEqual({ name: 'list' });
    expect(parseMerchantsArgs(['remove', 'M1'])).toEqual({ name: 'remove', merchantId: 'M1' });
    expect(parseMerchantsArgs(['rotate-key'])).toEqual({ name: 'rotate-key' });
    expect(parseMerchantsArgs(['add', '--help'])).toEqual({ name: 'help' });
  });

  it('refuses what is malformed, naming it', () => {
    expect(usageError(['add', 'M1'])).toBe('add needs --access-token <token> (or - to read it from standard input)');
    expect(usageError(['add', '--access-token', 'x'])).toMatch(/needs one merchant id/);
    expect(usageError(['add', 'M 1', '--access-token', 'x'])).toMatch(/needs one merchant id/);
    expect(usageError(['add', 'M1', '--access-token', 'x', '--expires-at', 'tomorrow'])).toMatch(
      /--expires-at must be an ISO 8601 time with a zone/,
    );
    expect(usageError(['remove', 'M1', '--access-token', 'x'])).toBe('remove does not take --access-token');
    expect(usageError(['list', 'M1'])).toBe('list takes no arguments');
    expect(usageError(['purge'])).toBe('unknown command "purge"');
  });
});

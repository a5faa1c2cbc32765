import { UsageError, parseSquareArgs } from './square-args.js';

const usageError = (argv: string[]) => {
  try {
    parseSquareArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
};

describe('parseSquareArgs', () => {
  it('asks for help without a command, with help, --help or -h anywhere after the command', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['send', '--help'], ['verify', 'x', '-h']]) {
      expect(parseSquareArgs(argv)).toEqual({ name: 'help' });
    }
  });

  it('parses send with its defaults left to the environment', () => {
    expect(parseSquareArgs(['send', 'payment.updated'])).toEqual({
      name: 'send',
      source: 'payment.updated',
      url: undefined,
      to: undefined,
      keys: [],
      newId: false,
      legacy: false,
    });
    expect(
      parseSquareArgs([
        'send',
        './body.json',
        '--url',
        'https://h.example.com/sq/',
        '--key',
        'k1',
        '--to',
        'http://127.0.0.1:9/x',
        '--new-id',
        '--legacy',
      ]),
    ).toEqual({
      name: 'send',
      source: './body.json',
      url: 'https://h.example.com/sq/',
      to: 'http://127.0.0.1:9/x',
      keys: ['k1'],
      newId: true,
      legacy: true,
    });
  });

  it('keeps URLs exactly as typed (a signature is computed over the characters)', () => {
    const cmd = parseSquareArgs(['send', 'x', '--url', 'HTTPS://Hooks.Example.com:443/sq/']);
    expect(cmd).toMatchObject({ url: 'HTTPS://Hooks.Example.com:443/sq/' });
  });

  it('accepts keys repeated and comma-separated', () => {
    expect(parseSquareArgs(['verify', 'b.json', '--signature', ' sig= ', '--key', 'a, b', '--key=c'])).toEqual({
      name: 'verify',
      bodyFile: 'b.json',
      signature: 'sig=',
      url: undefined,
      keys: ['a', 'b', 'c'],
      legacy: false,
    });
  });

  it('parses replay, which needs --to', () => {
    expect(parseSquareArgs(['replay', 'evt-1', '--to', 'http://localhost:4000/hook'])).toEqual({
      name: 'replay',
      eventId: 'evt-1',
      to: 'http://localhost:4000/hook',
      url: undefined,
      keys: [],
      legacy: false,
    });
    expect(usageError(['replay', 'evt-1'])).toMatch(/replay needs --to/);
  });

  it('names what is wrong', () => {
    expect(usageError(['sned', 'x'])).toBe('unknown command "sned"');
    expect(usageError(['send'])).toBe('missing a sample name or a body file');
    expect(usageError(['send', 'a', 'b'])).toMatch(/expected one argument/);
    expect(usageError(['send', 'x', '--bogus'])).toBe("Unknown option '--bogus'");
    expect(usageError(['send', 'x', '--url'])).toMatch(/--url/);
    expect(usageError(['send', 'x', '--signature', 's'])).toBe('send does not take --signature');
    expect(usageError(['replay', 'e', '--to', 'http://x', '--new-id'])).toBe('replay does not take --new-id');
    expect(usageError(['verify', 'b.json'])).toMatch(/verify needs --signature/);
    expect(usageError(['send', 'x', '--to', 'localhost:3000/webhooks'])).toMatch(
      /--to must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(usageError(['send', 'x', '--key', ' , '])).toBe('--key is empty');
  });
  it('parses trigger: repeatable --set, --merchant, --count', () => {
    expect(
      parseSquareArgs([
        'trigger',
        'payment.updated',
        '--set',
        'a.b=1',
        '--set',
        'c=x',
        '--merchant',
        'M1',
        '--count',
        '3',
      ]),
    ).toEqual({
      name: 'trigger',
      type: 'payment.updated',
      sets: ['a.b=1', 'c=x'],
      merchant: 'M1',
      count: 3,
      to: undefined,
      url: undefined,
      keys: [],
    });
    expect(() => parseSquareArgs(['trigger', 'payment.updated', '--count', '0'])).toThrow(
      /--count must be a whole number from 1 to 1000/,
    );
    expect(() => parseSquareArgs(['trigger'])).toThrow(/missing an event type/);
  });
});

describe("parseSquareArgs: Square's side", () => {
  it('parses the subscriptions actions and events enable', () => {
    expect(parseSquareArgs(['subscriptions', 'list'])).toEqual({ name: 'subscriptions', action: 'list' });
    expect(parseSquareArgs(['subscriptions', 'sync', '--dry-run'])).toEqual({
      name: 'subscriptions',
      action: 'sync',
      dryRun: true,
    });
    expect(parseSquareArgs(['subscriptions', 'test'])).toEqual({
      name: 'subscriptions',
      action: 'test',
      waitMs: 30_000,
    });
    expect(parseSquareArgs(['subscriptions', 'test', '--wait', '5000'])).toEqual({
      name: 'subscriptions',
      action: 'test',
      waitMs: 5000,
    });
    expect(parseSquareArgs(['subscriptions', 'rotate-key'])).toEqual({ name: 'subscriptions', action: 'rotate-key' });
    expect(parseSquareArgs(['events', 'enable'])).toEqual({ name: 'events', action: 'enable' });
  });

  it('refuses what an action does not take', () => {
    const refused = (argv: string[]) => {
      try {
        parseSquareArgs(argv);
      } catch (err) {
        return (err as Error).message;
      }
      return undefined;
    };
    expect(refused(['subscriptions'])).toBe('missing a subscriptions action: list, sync, test, rotate-key');
    expect(refused(['subscriptions', 'delete'])).toBe(
      'unknown subscriptions action "delete" (list, sync, test, rotate-key)',
    );
    expect(refused(['subscriptions', 'list', '--dry-run'])).toBe('subscriptions list does not take --dry-run');
    expect(refused(['subscriptions', 'sync', '--wait', '10'])).toBe('subscriptions sync does not take --wait');
    expect(refused(['subscriptions', 'test', '--wait', 'soon'])).toBe(
      '--wait must be a whole number from 100 to 600000 (got "soon")',
    );
    expect(refused(['events', 'disable'])).toBe('unknown events action "disable" (enable)');
    expect(refused(['events', 'enable', '--url', 'https://x'])).toBe('events does not take --url');
  });
  describe('listen --forward-to', () => {
    it('forwards every type by default; --events repeated or comma-separated; --secret kept', () => {
      expect(parseSquareArgs(['listen', '--forward-to', 'http://localhost:4000/hook'])).toEqual({
        name: 'listen-forward',
        forwardTo: 'http://localhost:4000/hook',
        events: ['*'],
        secret: undefined,
      });
      const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      expect(
        parseSquareArgs([
          'listen',
          '--forward-to',
          'http://127.0.0.1:4000/',
          '--events',
          'payment.*,refund.updated',
          '--events',
          'payment.*',
          '--secret',
          secret,
        ]),
      ).toEqual({
        name: 'listen-forward',
        forwardTo: 'http://127.0.0.1:4000/',
        events: ['payment.*', 'refund.updated'],
        secret,
      });
      expect(parseSquareArgs(['listen', '--forward-to', 'https://hooks.example.com/x', '--allow-remote']).name).toBe(
        'listen-forward',
      );
      expect(parseSquareArgs(['listen', '--forward-to', 'http://[::1]:4000/']).name).toBe('listen-forward');
    });

    it("refuses a remote URL without --allow-remote, a bad filter or URL, and the receiver's options", () => {
      expect(usageError(['listen', '--forward-to', 'http://example.com/hook'])).toBe(
        '--forward-to must name this machine (localhost, 127.0.0.1, [::1]); example.com is not: add --allow-remote to forward real events there',
      );
      expect(usageError(['listen', '--forward-to', 'ftp://localhost/x'])).toBe(
        '--forward-to must be an http:// or https:// URL (got "ftp://localhost/x")',
      );
      expect(usageError(['listen', '--forward-to', 'http://localhost/x', '--events', 'payment.*.x'])).toBe(
        '--events: "payment.*.x" is not an event type, a prefix like payment.* or *',
      );
      expect(usageError(['listen', '--forward-to', 'http://localhost/x', '--events', ' , '])).toBe('--events is empty');
      expect(usageError(['listen', '--forward-to', 'http://localhost/x', '--port', '4000'])).toBe(
        '--port and --status are for listen without --forward-to (the local receiver)',
      );
      expect(usageError(['listen', '--forward-to', 'http://localhost/x', '--secret', 'whsec_c2hvcnQ='])).toBe(
        '--secret must hold at least 24 random bytes (or leave it out: one is made for you)',
      );
      expect(usageError(['listen', '--events', 'payment.*'])).toBe('--events goes with --forward-to <url>');
      expect(usageError(['listen', '--allow-remote'])).toBe('--allow-remote goes with --forward-to <url>');
    });
  });
});

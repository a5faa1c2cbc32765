import { isLoopbackHost } from './loopback.js';

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    '127.0.0.1',
    '127.1.2.3',
    '127.255.255.255',
    '::1',
    '[::1]',
    '[::ffff:127.0.0.1]',
  ])('%s is this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    'hooks.example.com',
    'localhost.example.com',
    '127.0.0.1.nip.io',
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '::',
    '[::ffff:8.8.8.8]',
    '127.0.0.256',
    '',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('takes the host of a notification URL as URL parsing normalizes it', () => {
    expect(
      ['http://127.1:3000/x', 'http://0x7f.0.0.1/x', 'http://[::1]:3000/x', 'http://LocalHost/x'].map((u) =>
        isLoopbackHost(new URL(u).hostname),
      ),
    ).toEqual([true, true, true, true]);
  });
});

import { hostOf, isLoopbackHost, isLoopbackUrl } from './loopback.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]'])('%s is this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['hooks.example.com', 'localhost.example.com', '127.0.0.1.nip.io', '128.0.0.1', '10.0.0.1', '0.0.0.0', '::', '[::ffff:8.8.8.8]', '127.0.0.256', ''])(
    '%s is not', (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    });

  it('takes hosts as URL parsing normalizes them', () => {
    expect(['http://127.1:3000/x', 'http://0x7f.0.0.1/x', 'http://[::1]:3000/x', 'http://LocalHost/x'].map((u) => isLoopbackHost(hostOf(u)!))).toEqual([true, true, true, true]);
    expect(hostOf('not a url')).toBeUndefined();
    expect([isLoopbackUrl('http://127.0.0.1:3000/x'), isLoopbackUrl('https://hooks.example.com/x'), isLoopbackUrl('nope')]).toEqual([true, false, false]);
  });
});

import { isIPv4 } from 'node:net';

/**
 * A host that names this machine only: `localhost`, 127.0.0.0/8 or ::1 (bare, in brackets, or
 * IPv4-mapped). Used on bind addresses; a name other than `localhost` is never resolved here.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIPv4(v4) && v4.startsWith('127.');
}

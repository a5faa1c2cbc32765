/**
 * Whether a host name or address is this machine only: `localhost`, 127.0.0.0/8 or ::1 (with or
 * without brackets, as URL's hostname gives it). Hosts are taken as URL parsing normalizes them
 * (`127.1` and `0x7f.0.0.1` are 127.0.0.1 by then); a name that merely resolves to loopback does not count.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (bare === 'localhost' || bare === '::1') return true;
  const octets = bare.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** The host of a URL, when it parses (for messages and checks; the URL itself is kept as given). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Whether a URL points at this machine (false when it does not parse). */
export function isLoopbackUrl(url: string): boolean {
  const host = hostOf(url);
  return host !== undefined && isLoopbackHost(host);
}

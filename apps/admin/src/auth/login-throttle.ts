export interface LoginThrottleOptions {
  /** Wrong passwords a client may send before it has to wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to maxWaitMs. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** Clients remembered at most: the oldest is forgotten first, so memory stays bounded. */
  maxClients: number;
  now?: () => number;
}

interface Failures {
  count: number;
  /** Until then the client's credentials are not even compared. */
  waitUntil: number;
  /** After then the failures are forgotten. */
  forgetAt: number;
}

export const LOGIN_THROTTLE_DEFAULTS: LoginThrottleOptions = {
  freeFailures: 5,
  firstWaitMs: 5_000,
  maxWaitMs: 15 * 60_000,
  maxClients: 10_000,
};

/**
 * Failed logins per client, in memory (one admin process; a restart forgets, which only helps the
 * operator). After `freeFailures` wrong passwords a client waits firstWaitMs, then twice as long
 * after each further failure, up to maxWaitMs; a success forgets its failures. A client that stays
 * quiet for maxWaitMs after its last wait is forgotten too.
 */
export class LoginThrottle {
  private readonly clients = new Map<string, Failures>();
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions = LOGIN_THROTTLE_DEFAULTS) {
    this.now = options.now ?? Date.now;
  }

  /** How long `client` must still wait before its credentials are looked at; 0: go ahead. */
  waitMs(client: string): number {
    const entry = this.current(client);
    return entry ? Math.max(0, entry.waitUntil - this.now()) : 0;
  }

  /** Records a wrong password; returns the wait it starts (0 while failures are still free). */
  failed(client: string): number {
    const now = this.now();
    const count = (this.current(client)?.count ?? 0) + 1;
    const beyond = count - this.options.freeFailures;
    const wait =
      beyond < 0 ? 0 : Math.min(this.options.maxWaitMs, this.options.firstWaitMs * 2 ** Math.min(beyond, 30));
    // Re-inserted, so the map's first key is the client least recently failed: the one evicted.
    this.clients.delete(client);
    this.clients.set(client, { count, waitUntil: now + wait, forgetAt: now + wait + this.options.maxWaitMs });
    if (this.clients.size > this.options.maxClients) this.clients.delete(this.clients.keys().next().value!);
    return wait;
  }

  succeeded(client: string): void {
    this.clients.delete(client);
  }

  /** Clients remembered now (for tests of the bound). */
  get size(): number {
    return this.clients.size;
  }

  private current(client: string): Failures | undefined {
    const entry = this.clients.get(client);
    if (entry && this.now() >= entry.forgetAt) {
      this.clients.delete(client);
      return undefined;
    }
    return entry;
  }
}

import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  let now = 0;
  const throttle = (maxClients = 100) =>
    new LoginThrottle({ freeFailures: 5, firstWaitMs: 5_000, maxWaitMs: 60_000, maxClients, now: () => now });
  const failTimes = (t: LoginThrottle, client: string, times: number) =>
    Array.from({ length: times }, () => t.failed(client));

  beforeEach(() => (now = 1_000_000));

  it('lets five failures pass, then makes the client wait, twice as long after each further failure, up to the cap', () => {
    const t = throttle();
    expect(failTimes(t, 'a', 4)).toEqual([0, 0, 0, 0]);
    expect(t.waitMs('a')).toBe(0);
    expect(t.failed('a')).toBe(5_000);
    expect(t.waitMs('a')).toBe(5_000);
    now += 2_000;
    expect(t.waitMs('a')).toBe(3_000);
    now += 3_000;
    expect(t.waitMs('a')).toBe(0);
    expect(failTimes(t, 'a', 5)).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(t.waitMs('b')).toBe(0);
  });

  it('forgets a client on success, and after a quiet spell as long as the cap', () => {
    const t = throttle();
    failTimes(t, 'a', 4);
    t.succeeded('a');
    expect(failTimes(t, 'a', 4)).toEqual([0, 0, 0, 0]);
    expect(t.failed('a')).toBe(5_000);
    now += 5_000 + 60_000;
    expect(t.waitMs('a')).toBe(0);
    expect(t.failed('a')).toBe(0); // counted from one again
  });

  it('remembers a bounded number of clients, forgetting the one that failed longest ago', () => {
    const t = throttle(3);
    for (const c of ['a', 'b', 'c']) failTimes(t, c, 5);
    failTimes(t, 'a', 1); // a is now the most recent
    failTimes(t, 'd', 5);
    expect(t.size).toBe(3);
    expect(t.waitMs('b')).toBe(0);
    for (const c of ['a', 'c', 'd']) expect({ c, waiting: t.waitMs(c) > 0 }).toEqual({ c, waiting: true });
  });
});

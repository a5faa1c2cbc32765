import { jest } from '@jest/globals';
import { ThrottledLog } from './throttled-log.js';

describe('ThrottledLog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const throttled = () => {
    const said: number[] = [];
    const log = new ThrottledLog({ limit: 3, intervalMs: 60_000, suppressed: (count) => said.push(count) }, () =>
      Date.now(),
    );
    return { log, said };
  };

  it('allows `limit` lines a window, then counts the rest and says how many once the window ends', () => {
    const { log, said } = throttled();
    const allowed = Array.from({ length: 10 }, () => log.allow());
    expect(allowed.filter(Boolean)).toHaveLength(3);
    expect(said).toEqual([]);
    jest.advanceTimersByTime(60_000);
    expect(said).toEqual([7]);
    // A new window: lines again, nothing more to say.
    expect(log.allow()).toBe(true);
    jest.advanceTimersByTime(120_000);
    expect(said).toEqual([7]);
  });

  it('says the count held back when flushed early (at shutdown), once', () => {
    const { log, said } = throttled();
    for (let i = 0; i < 5; i++) log.allow();
    log.flush();
    log.flush();
    jest.advanceTimersByTime(60_000);
    expect(said).toEqual([2]);
  });
});

import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('doubles per attempt, with jitter between half and the full delay', () => {
    for (const [attemptsMade, full] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [6, 32000],
    ] as const) {
      expect(retryDelayMs(attemptsMade, 1000, undefined, () => 0)).toBe(full / 2);
      expect(retryDelayMs(attemptsMade, 1000, undefined, () => 0.999999)).toBeCloseTo(full, -1);
    }
  });

  it("waits at least Square's Retry-After", () => {
    expect(retryDelayMs(1, 1000, { retryAfterMs: 30_000 }, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(5, 1000, { retryAfterMs: 10 }, () => 0)).toBe(8000);
  });

  it('caps the delay', () => {
    expect(retryDelayMs(60, 1000, undefined, () => 1)).toBeLessThanOrEqual(6 * 3600 * 1000);
  });
});

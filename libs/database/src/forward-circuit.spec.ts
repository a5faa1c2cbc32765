import {
  DESTINATION_STATE,
  OPEN_AFTER_FAILURES,
  afterFailure,
  afterSuccess,
  paused,
  resumed,
  retriedNow,
  type Circuit,
} from './forward-circuit.js';

const S = { backoffMs: 1000, probeMaxMs: 30_000, autoPauseAfterMs: 3 * 86_400_000 };
const T0 = new Date('2026-12-07T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const healthy: Circuit = {
  state: DESTINATION_STATE.healthy,
  since: T0,
  consecutiveFailures: 0,
  retryingAt: null,
  probeUntil: null,
  pausedBy: null,
  pauseReason: null,
  lastError: null,
  releasedAt: T0,
};
const failTimes = (c: Circuit, n: number, now = T0) =>
  Array.from({ length: n }).reduce<Circuit>((x) => afterFailure(x, 'ECONNREFUSED', S, now), c);

describe('forward circuit', () => {
  it('opens after OPEN_AFTER_FAILURES failures in a row, and a success in between starts the count again', () => {
    expect(failTimes(healthy, OPEN_AFTER_FAILURES - 1).state).toBe('healthy');
    expect(
      failTimes(afterSuccess(failTimes(healthy, OPEN_AFTER_FAILURES - 1), T0), OPEN_AFTER_FAILURES - 1).state,
    ).toBe('healthy');
    const open = failTimes(healthy, OPEN_AFTER_FAILURES);
    expect(open).toMatchObject({ state: 'failing', since: T0, retryingAt: at(1000), lastError: 'ECONNREFUSED' });
  });

  it('probes further apart after each failed probe, never more than probeMaxMs apart', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map(
      (n) => failTimes(healthy, OPEN_AFTER_FAILURES + n).retryingAt!.getTime() - T0.getTime(),
    );
    expect(waits).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('closes on a success and lets the backlog go (released now)', () => {
    expect(afterSuccess(failTimes(healthy, 7), at(5000))).toMatchObject({
      state: 'healthy',
      since: at(5000),
      consecutiveFailures: 0,
      retryingAt: null,
      releasedAt: at(5000),
    });
  });

  it('pauses itself after failing for autoPauseAfterMs, saying since when', () => {
    const open = failTimes(healthy, OPEN_AFTER_FAILURES);
    expect(afterFailure(open, 'x', S, at(S.autoPauseAfterMs - 1)).state).toBe('failing');
    expect(afterFailure(open, 'x', S, at(S.autoPauseAfterMs))).toMatchObject({
      state: 'paused',
      pausedBy: 'auto',
      pauseReason: `failing since ${T0.toISOString()}: x`,
    });
  });

  it('an operator pause holds until resume; resume probes a destination that was failing first', () => {
    const held = paused(failTimes(healthy, OPEN_AFTER_FAILURES), 'cli', 'maintenance', at(1));
    expect(afterSuccess(held, at(2)).state).toBe('paused');
    expect(afterFailure(held, 'x', S, at(S.autoPauseAfterMs * 2)).state).toBe('paused');
    expect(resumed(held, at(3))).toMatchObject({
      state: 'failing',
      since: at(3),
      retryingAt: at(3),
      pausedBy: null,
      releasedAt: at(3),
    });
    expect(resumed(paused(healthy, 'cli', null, at(1)), at(3))).toMatchObject({ state: 'healthy', releasedAt: at(3) });
  });

  it('retry-now probes a failing destination at once and leaves a paused one paused', () => {
    expect(retriedNow(failTimes(healthy, 9), at(7))).toMatchObject({
      state: 'failing',
      retryingAt: at(7),
      releasedAt: at(7),
    });
    expect(retriedNow(paused(healthy, 'cli', null, at(1)), at(7))).toMatchObject({ state: 'paused', releasedAt: T0 });
  });
});

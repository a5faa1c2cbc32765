import { ForwardDestinationState } from './generated/prisma/enums.js';

// The circuit breaker of a forwarding destination, as pure functions of its row: healthy (closed),
// failing (open: one probe at a time at retryingAt, the wait doubling up to probeMaxMs), paused (by
// an operator, or after autoPauseAfterMs of failing). The repository applies them under a row lock.

export const DESTINATION_STATE = ForwardDestinationState;

/** Failures in a row (across deliveries) that open the circuit: one 500 among successes does not. */
export const OPEN_AFTER_FAILURES = 5;

export interface Circuit {
  state: ForwardDestinationState;
  since: Date;
  consecutiveFailures: number;
  retryingAt: Date | null;
  probeUntil: Date | null;
  pausedBy: string | null;
  pauseReason: string | null;
  lastError: string | null;
  releasedAt: Date;
}

export interface CircuitSettings {
  backoffMs: number;
  probeMaxMs: number;
  autoPauseAfterMs: number;
}

/** A failed attempt (a probe's or any other while closed). */
export function afterFailure(c: Circuit, error: string, s: CircuitSettings, now: Date): Circuit {
  const failures = c.consecutiveFailures + 1;
  const failed = { ...c, consecutiveFailures: failures, lastError: error, probeUntil: null };
  if (c.state === DESTINATION_STATE.paused) return failed;
  if (c.state === DESTINATION_STATE.healthy) {
    if (failures < OPEN_AFTER_FAILURES) return failed;
    return {
      ...failed,
      state: DESTINATION_STATE.failing,
      since: now,
      retryingAt: new Date(now.getTime() + s.backoffMs),
    };
  }
  if (now.getTime() - c.since.getTime() >= s.autoPauseAfterMs) {
    return {
      ...failed,
      state: DESTINATION_STATE.paused,
      since: now,
      retryingAt: null,
      pausedBy: 'auto',
      pauseReason: `failing since ${c.since.toISOString()}: ${error}`,
    };
  }
  return { ...failed, retryingAt: new Date(now.getTime() + probeWaitMs(failures, s)) };
}

/** The wait before the next probe: FORWARD_BACKOFF_MS doubling per failed probe, capped. */
export function probeWaitMs(failures: number, s: CircuitSettings): number {
  const probes = Math.max(0, failures - OPEN_AFTER_FAILURES);
  return Math.min(s.probeMaxMs, s.backoffMs * 2 ** Math.min(probes, 30));
}

/** A 2xx: closes the circuit (a paused destination stays paused). */
export function afterSuccess(c: Circuit, now: Date): Circuit {
  const reset = { ...c, consecutiveFailures: 0, probeUntil: null };
  if (c.state !== DESTINATION_STATE.failing) return reset;
  return { ...reset, state: DESTINATION_STATE.healthy, since: now, retryingAt: null, releasedAt: now };
}

export function paused(c: Circuit, by: string, reason: string | null, now: Date): Circuit {
  if (c.state === DESTINATION_STATE.paused) return c;
  return {
    ...c,
    state: DESTINATION_STATE.paused,
    since: now,
    retryingAt: null,
    probeUntil: null,
    pausedBy: by,
    pauseReason: reason,
  };
}

/** Resumed: a destination that was failing is probed first (at once), the backlog released. */
export function resumed(c: Circuit, now: Date): Circuit {
  if (c.state !== DESTINATION_STATE.paused) return c;
  const failing = c.consecutiveFailures >= OPEN_AFTER_FAILURES;
  return {
    ...c,
    state: failing ? DESTINATION_STATE.failing : DESTINATION_STATE.healthy,
    since: now,
    retryingAt: failing ? now : null,
    probeUntil: null,
    pausedBy: null,
    pauseReason: null,
    releasedAt: now,
  };
}

/** retry-now: a failing destination is probed at once; every worker lets its backlog go. */
export function retriedNow(c: Circuit, now: Date): Circuit {
  if (c.state === DESTINATION_STATE.paused) return c;
  return { ...c, retryingAt: c.state === DESTINATION_STATE.failing ? now : null, releasedAt: now };
}

// Retry delays for process-event jobs: exponential with jitter, but never sooner than Square's
// Retry-After when the failure carried one. Registered with the worker as a custom strategy.

export const BACKOFF_TYPE = 'exponential-retry-after';

const MAX_DELAY_MS = 6 * 3600 * 1000;

/**
 * Delay before attempt `attemptsMade + 1`: base·2^(attemptsMade-1), scaled by a random factor in
 * [0.5, 1) so that many events failing together (a Square outage) do not retry in lockstep.
 */
export function retryDelayMs(
  attemptsMade: number,
  baseMs: number,
  err?: unknown,
  random = Math.random,
  maxMs = MAX_DELAY_MS,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  const retryAfter = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfter === 'number' && retryAfter > jittered ? Math.min(retryAfter, maxMs) : jittered;
}

/** Retry-After as seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

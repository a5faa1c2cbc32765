/** The work did not settle in time (it may still settle later; its result is then ignored). */
export class TimeoutError extends Error {}

/**
 * `work`, or a TimeoutError after `ms`: how every wait on Postgres or Redis is bounded, so a
 * dependency that accepts connections but never answers cannot hang a request, a scrape or a
 * shutdown. The timer is cleared as soon as the race is decided.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), Math.max(0, ms));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

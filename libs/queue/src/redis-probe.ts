/**
 * The readiness check's view of an app's Redis (libs/health): provided by libs/queue-runtime in the
 * apps that have Redis, absent in the ingress. Declared here so that health needs no ioredis.
 */
export const REDIS_PROBE = Symbol('REDIS_PROBE');

export interface RedisProbe {
  /** Resolves when Redis answers; rejects with one line naming REDIS_URL (no credentials) otherwise. */
  ping(): Promise<void>;
}

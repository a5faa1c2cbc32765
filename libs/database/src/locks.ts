// Every advisory lock the pipeline takes, in one place, so that two passes cannot pick the same id
// by accident (Postgres has one namespace of bigint ids per database). The values are arbitrary but
// fixed: workers of different versions must agree on them during a rolling upgrade.

export const ADVISORY_LOCKS = {
  /** The inbox sweep: one sweeper at a time across workers (transaction lock). */
  eventSweep: 0x5eeb,
  /** The delivery sweep: one sweeper at a time across workers (transaction lock). */
  deliverySweep: 0x5eed,
  /** The reconciler (Square's Events API): one at a time across workers (PeriodicLock). */
  reconcile: 0x2ec0,
  /** Retention's purge: one worker purges at a time (PeriodicLock). */
  retention: 0x9e7a,
  /** Making the inbox's partitions ahead: one worker at a time (PeriodicLock). */
  partitions: 0x9a27,
  /** The token refresh: one refresher at a time across workers (PeriodicLock). */
  tokenRefresh: 0x70c3,
  /** Prisma's own id (`prisma migrate deploy`): the migrator takes the same, so the two exclude each other. */
  migrations: 72707369,
} as const;

export type AdvisoryLockId = (typeof ADVISORY_LOCKS)[keyof typeof ADVISORY_LOCKS];

/** PeriodicLock behind a transaction pooler: a lease outlives a dead worker by at most this. */
export const PERIODIC_LEASE_S = 60;
/** How often a lease's holder renews it: well before it lapses. */
export const PERIODIC_LEASE_RENEW_MS = 15_000;

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { DatabaseConfig } from '@app/config';
import { PG_POOL, sessionUrl } from './pg-pool.js';
import { statement } from './sql.js';

import { PERIODIC_LEASE_RENEW_MS as RENEW_MS, PERIODIC_LEASE_S as LEASE_S } from './locks.js';

const TAKE_LEASE = statement<{ lock_id: number; holder: string; lease_s: number }>(
  'periodic_lease_take',
  `
  INSERT INTO periodic_leases (lock_id, holder, expires_at) VALUES (:lock_id, :holder, now() + make_interval(secs => :lease_s))
  ON CONFLICT (lock_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
  WHERE periodic_leases.expires_at < now()
  RETURNING holder`,
);
const RENEW_LEASE = statement<{ lock_id: number; holder: string; lease_s: number }>(
  'periodic_lease_renew',
  `
  UPDATE periodic_leases SET expires_at = now() + make_interval(secs => :lease_s) WHERE lock_id = :lock_id AND holder = :holder`,
);
const DROP_LEASE = statement<{ lock_id: number; holder: string }>(
  'periodic_lease_drop',
  `
  DELETE FROM periodic_leases WHERE lock_id = :lock_id AND holder = :holder`,
);

/**
 * One worker at a time runs a periodic pass (reconcile, retention, token refresh), which may wait
 * on Square: so no transaction spans it. Where a connection keeps its session (no transaction
 * pooler, or DATABASE_DIRECT_URL), the pass holds a session advisory lock on a connection of its
 * own; behind a transaction pooler without a direct URL, where a session lock would stay behind on
 * whichever server connection took it, it holds a lease row instead (renewed while it runs).
 */
@Injectable()
export class PeriodicLock {
  private readonly directUrl: string | undefined;
  private readonly leased: boolean;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    config: DatabaseConfig,
  ) {
    const url = sessionUrl(config);
    this.directUrl = url === config.url ? undefined : url;
    this.leased = url === undefined;
  }

  /** Runs `work` holding lock `lockId` (one of ADVISORY_LOCKS, locks.ts); resolves undefined without running it when another holds it. */
  run<T>(lockId: number, work: () => Promise<T>): Promise<T | undefined> {
    if (this.leased) return this.withLease(lockId, work);
    return this.directUrl === undefined ? withSessionLock(this.pool, lockId, work) : this.withDirectLock(lockId, work);
  }

  private async withDirectLock<T>(lockId: number, work: () => Promise<T>): Promise<T | undefined> {
    const direct = new pg.Pool({ connectionString: this.directUrl, max: 1, connectionTimeoutMillis: 5000 });
    direct.on('error', () => undefined); // a lost connection has lost its lock; the pass's own statements say why
    try {
      return await withSessionLock(direct, lockId, work);
    } finally {
      await direct.end().catch(() => undefined);
    }
  }

  private async withLease<T>(lockId: number, work: () => Promise<T>): Promise<T | undefined> {
    const holder = randomUUID();
    const { rowCount } = await TAKE_LEASE.run(this.pool, { lock_id: lockId, holder, lease_s: LEASE_S });
    if (rowCount === 0) return undefined;
    // A failed renewal (Postgres down) is retried at the next tick; the lease lapses if all fail.
    const renew = setInterval(
      () => void RENEW_LEASE.run(this.pool, { lock_id: lockId, holder, lease_s: LEASE_S }).catch(() => undefined),
      RENEW_MS,
    );
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await DROP_LEASE.run(this.pool, { lock_id: lockId, holder }).catch(() => undefined);
    }
  }
}

/**
 * Runs `work` while this process holds a session-level advisory lock on a connection of its own
 * (no transaction stays open, so work that waits on Square may hold it); resolves undefined
 * without running it when another process holds the lock.
 */
async function withSessionLock<T>(pool: pg.Pool, lockId: number, work: () => Promise<T>): Promise<T | undefined> {
  const client = await pool.connect();
  // As in inTransaction: a connection terminated while idle here must not crash the process.
  let broken: Error | undefined;
  client.on('error', (err: Error) => (broken = err));
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockId]);
    if (!rows[0]?.locked) return undefined;
    try {
      return await work();
    } finally {
      // A lost connection has lost its lock with it.
      if (!broken) await client.query('SELECT pg_advisory_unlock($1)', [lockId]).catch((err: Error) => (broken = err));
    }
  } finally {
    client.release(broken);
  }
}

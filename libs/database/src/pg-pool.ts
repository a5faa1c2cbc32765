import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DatabaseConfig } from '@app/config';
import { errorMessage } from '@app/observability';

/** The process' one Postgres pool, shared by Prisma (through its adapter) and the hot-path SQL. */
export const PG_POOL = Symbol('PG_POOL');

/** `connectTimeoutMs`: fail fast when Postgres is unreachable (the ingress has a 2 s answer to keep). */
export function createPgPool(config: DatabaseConfig, connectTimeoutMs = 1000): pg.Pool {
  const logger = new Logger('Postgres');
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    // A backend running a statement checks every second that its client is still there: a worker
    // killed mid-transaction (or one that gave up on a handler) has its transaction, and the lock
    // on the event's claim, rolled back within a second rather than when the statement ends.
    options: '-c client_connection_check_interval=1000',
    idleTimeoutMillis: 30_000,
  });
  // An idle connection dying (Postgres restarted) must not crash the process.
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: errorMessage(err) }));
  return pool;
}

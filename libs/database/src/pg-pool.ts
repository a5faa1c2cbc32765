import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DatabaseConfig } from '@app/config';
import { errorMessage } from '@app/observability';

/** The process' one Postgres pool, shared by Prisma (through its adapter) and the hot-path SQL. */
export const PG_POOL = Symbol('PG_POOL');

/** What a pool needs of DatabaseConfig: no pooler unless said. */
export type PoolConfig = Pick<DatabaseConfig, 'url' | 'poolSize'> & Partial<Pick<DatabaseConfig, 'pooler'>>;

/** `connectTimeoutMs`: fail fast when Postgres is unreachable (the ingress has a 2 s answer to keep). */
export function createPgPool(config: PoolConfig, connectTimeoutMs = 1000): pg.Pool {
  const logger = new Logger('Postgres');
  const pooled = config.pooler === 'transaction';
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    // A backend running a statement checks every second that its client is still there: a worker
    // killed mid-transaction (or one that gave up on a handler) has its transaction, and the lock
    // on the event's claim, rolled back within a second rather than when the statement ends.
    // A transaction pooler passes no startup options: set it on the role there (docs/SCALING.md).
    ...(pooled ? { Client: UnnamedStatementsClient } : { options: '-c client_connection_check_interval=1000' }),
    idleTimeoutMillis: 30_000,
  });
  // An idle connection dying (Postgres restarted) must not crash the process.
  pool.on('error', (err) => logger.warn('idle Postgres connection failed', { error: errorMessage(err) }));
  return pool;
}

/**
 * Where a connection keeps its session (LISTEN, session advisory locks, migrations): the direct
 * URL when given, else DATABASE_URL unless a transaction pooler is in the way; undefined then.
 */
export function sessionUrl(config: DatabaseConfig): string | undefined {
  return config.directUrl ?? (config.pooler === 'transaction' ? undefined : config.url);
}

// Behind a transaction pooler, consecutive transactions of one client run on different server
// connections: a statement prepared under a name on one is missing on the next ("prepared
// statement does not exist") or already there for another client ("already exists"). pg prepares
// a query under its `name` (sql.ts gives every statement one): without it, pg sends the unnamed
// statement, parsed and planned on each call, which every pooler passes through. Prisma's adapter
// names none unless told to.
// eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .call(this) below
const query = pg.Client.prototype.query;
class UnnamedStatementsClient extends pg.Client {}
UnnamedStatementsClient.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  const unnamed =
    typeof config === 'object' && config !== null && 'name' in config ? { ...config, name: undefined } : config;
  return (query as (...args: unknown[]) => unknown).call(this, unnamed, ...rest);
} as typeof query;

import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@app/database';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma', 'migrations');

/** Server URL without a database; TEST_POSTGRES_URL overrides the machine's default. */
export const POSTGRES_SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export function uniqueName(suite: string): string {
  return `sqwh_${suite}_${process.pid}_${randomBytes(3).toString('hex')}`.toLowerCase();
}

export function databaseUrl(name: string, serverUrl = POSTGRES_SERVER_URL): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database of its own for one suite, migrated with the project's migrator. */
export async function createTestDatabase(suite: string, opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = uniqueName(suite);
  const url = databaseUrl(name);
  if (opts.migrated ?? true) await migrate(url, MIGRATIONS_DIR);
  else await adminQuery(`CREATE DATABASE "${name}"`);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle connection a suite's own outage or teardown terminates (57P01) is expected: without a
  // listener the pool re-emits it as an unhandled error and fails whichever test is running.
  pool.on('error', () => undefined);
  return {
    name,
    url,
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      return (await pool.query<R>(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** One statement on the server's `postgres` database (CREATE/DROP DATABASE). */
export async function adminQuery(sql: string, serverUrl = POSTGRES_SERVER_URL): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres', serverUrl) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

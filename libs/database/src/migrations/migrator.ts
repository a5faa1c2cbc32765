import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ADVISORY_LOCKS } from '../locks.js';

// Applies prisma/migrations/* the way `prisma migrate deploy` does, for machines where Prisma's
// migrate engine cannot be downloaded. The bookkeeping is Prisma's own: same _prisma_migrations
// table and columns, checksum = sha256(migration.sql), same advisory lock id, so `prisma migrate
// status` on a machine that has the engine reports the database up to date.

const PRISMA_ADVISORY_LOCK = ADVISORY_LOCKS.migrations;

/**
 * Where applied migrations are recorded: ours in Prisma's table; the team's handler migrations
 * (HANDLER_MIGRATIONS_DIR) in a table of their own, so that their names can never collide with ours.
 */
export const MIGRATION_TABLES = { ours: '_prisma_migrations', handlers: '_handler_migrations' } as const;
export type MigrationTable = (typeof MIGRATION_TABLES)[keyof typeof MIGRATION_TABLES];

const createMigrationsTable = (table: MigrationTable) => `
CREATE TABLE IF NOT EXISTS "${table}" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  createdDatabase: boolean;
  applied: string[];
  alreadyApplied: number;
  warnings: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function readLocalMigrations(dir: string): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name, 'migration.sql')).catch(() => undefined);
    if (bytes === undefined) continue; // Prisma ignores folders without a migration.sql too
    migrations.push({ name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') });
  }
  return migrations;
}

/** Creates the database when missing, then applies pending migrations in order under a lock. */
export async function migrate(
  databaseUrl: string,
  migrationsDir: string,
  table: MigrationTable = MIGRATION_TABLES.ours,
): Promise<MigrateResult> {
  const local = await readLocalMigrations(migrationsDir);
  const createdDatabase = await ensureDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    // Session lock: a second migrator (another replica starting) waits here, then finds nothing to do.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(createMigrationsTable(table));
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "${table}" ORDER BY started_at`,
    );
    const { pending, warnings } = plan(local, rows);
    for (const migration of pending) await applyOne(client, migration, table);
    return {
      createdDatabase,
      applied: pending.map((m) => m.name),
      alreadyApplied: local.length - pending.length,
      warnings,
    };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Marks a failed migration as rolled back (like `prisma migrate resolve --rolled-back`). */
export async function markRolledBack(
  databaseUrl: string,
  name: string,
  table: MigrationTable = MIGRATION_TABLES.ours,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query(
      `UPDATE "${table}" SET rolled_back_at = now()
        WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
      [name],
    );
    if (res.rowCount === 0) throw new MigrationError(`no failed migration named ${name} to mark as rolled back`);
  } finally {
    await client.end();
  }
}

function plan(local: LocalMigration[], rows: AppliedRow[]): { pending: LocalMigration[]; warnings: string[] } {
  const live = rows.filter((r) => r.rolled_back_at === null);
  const failed = live.find((r) => r.finished_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and was not resolved. Check the database, fix the ` +
        `migration, then mark it rolled back with: npm run db:migrate -- --rolled-back ${failed.migration_name}`,
    );
  }
  const applied = new Map(live.map((r) => [r.migration_name, r]));
  for (const m of local) {
    const row = applied.get(m.name);
    if (row && row.checksum !== m.checksum) {
      throw new MigrationError(
        `migration ${m.name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… in the ` +
          `database, ${m.checksum.slice(0, 12)}… on disk). Restore the original migration.sql and put the ` +
          'change in a new migration.',
      );
    }
  }
  const names = new Set(local.map((m) => m.name));
  const warnings = [...applied.keys()]
    .filter((name) => !names.has(name))
    .map((name) => `migration ${name} is applied in the database but missing from the migrations folder`);
  return { pending: local.filter((m) => !applied.has(m.name)), warnings };
}

async function applyOne(client: pg.Client, migration: LocalMigration, table: MigrationTable): Promise<void> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO "${table}" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    // One simple-protocol query: Postgres runs a multi-statement script as one implicit
    // transaction, as it does for Prisma's own deploy.
    await client.query(migration.sql);
  } catch (err) {
    const message = (err as Error).message;
    await client.query(`UPDATE "${table}" SET logs = $2 WHERE id = $1`, [id, message]);
    throw new MigrationError(`migration ${migration.name} failed: ${message}`);
  }
  await client.query(`UPDATE "${table}" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
}

/** Creates the target database when it does not exist; true when it did. */
async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // 3D000: database does not exist
  } finally {
    await probe.end().catch(() => undefined);
  }
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    // Created concurrently by another migrator: 42P04, or 23505 when both inserts raced.
    if (['42P04', '23505'].includes((err as { code?: string }).code ?? '')) return false;
    throw err;
  } finally {
    await admin.end();
  }
}

// `npm run db:migrate [-- --rolled-back <migration>]`: creates the database if needed and applies
// pending migrations from prisma/migrations (relative to the working directory, or MIGRATIONS_DIR).
import { resolve } from 'node:path';
import { ConfigError, loadDotEnv, loadMigrateConfig } from '@app/config';
import { MigrationError, markRolledBack, migrate } from './migrator.js';

async function main(): Promise<void> {
  loadDotEnv();
  const { database, migrationsDir } = loadMigrateConfig();
  const dir = resolve(migrationsDir);
  const args = process.argv.slice(2);
  const rolledBack = args.indexOf('--rolled-back');
  if (rolledBack >= 0) {
    const name = args[rolledBack + 1];
    if (!name) throw new MigrationError('--rolled-back needs the migration name');
    await markRolledBack(database.url, name);
    console.log(`marked ${name} as rolled back; run npm run db:migrate again to re-apply it`);
    return;
  }
  const result = await migrate(database.url, dir);
  if (result.createdDatabase) console.log(`created database ${new URL(database.url).pathname.slice(1)}`);
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(
    result.applied.length === 0
      ? `database is up to date (${result.alreadyApplied} migrations applied)`
      : `${result.applied.length} migration(s) applied, ${result.alreadyApplied} already applied`,
  );
}

main().catch((err: unknown) => {
  // Expected failures print one line; anything else (unreachable Postgres…) prints its message, no stack.
  const known = err instanceof ConfigError || err instanceof MigrationError;
  console.error(known ? (err as Error).message : `db:migrate failed: ${(err as Error).message}`);
  process.exit(1);
});

// npm run db:migrate [-- --rolled-back <migration>]: creates the database if needed and applies
// pending migrations from prisma/migrations (relative to the working directory, or MIGRATIONS_DIR).
import { resolve } from 'node:path';
import { loadAppConfig, loadDotEnv } from '@app/config';
import { MigrationError, markRolledBack, migrate, sessionUrl } from '@app/database';
import { UsageError, parseStrict, runCli } from './cli-args.js';

const USAGE = `usage: npm run db:migrate [-- --rolled-back <migration>]

  (no option)                  create the database named by DATABASE_URL (DATABASE_DIRECT_URL when set) if needed, apply pending migrations
  --rolled-back <migration>    mark a failed migration as rolled back, so that the next run applies it again

Exit codes: 0 done, 1 failed, 2 usage.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseStrict(argv, { 'rolled-back': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const rolledBack = values['rolled-back'];
  loadDotEnv();
  const { database, migrate: options } = loadAppConfig('migrate');
  // The migrator holds a session advisory lock across migrations: a transaction pooler would
  // leave it behind on a server connection that other clients then share.
  const url = sessionUrl(database);
  if (url === undefined) throw new MigrationError('DATABASE_POOLER=transaction: migrations need a session of their own; set DATABASE_DIRECT_URL to Postgres itself (or to a session pooler)');
  if (rolledBack !== undefined) {
    await markRolledBack(url, rolledBack);
    console.log(`marked ${rolledBack} as rolled back; run npm run db:migrate again to re-apply it`);
    return 0;
  }
  const result = await migrate(url, resolve(options.migrationsDir));
  if (result.createdDatabase) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(
    result.applied.length === 0
      ? `database is up to date (${result.alreadyApplied} migrations applied)`
      : `${result.applied.length} migration(s) applied, ${result.alreadyApplied} already applied`,
  );
  return 0;
}

// Expected failures (MigrationError) print their message alone; anything else is prefixed.
runCli('db:migrate', 'npm run db:migrate --', main, [MigrationError]);

// npm run db:migrate [-- --rolled-back <migration>]: creates the database if needed and applies
// pending migrations from prisma/migrations (relative to the working directory, or MIGRATIONS_DIR),
// then the team's own from HANDLER_MIGRATIONS_DIR when set (tracked apart: _handler_migrations).
import { resolve } from 'node:path';
import { loadAppConfig, loadDotEnv } from '@app/config';
import {
  MIGRATION_TABLES,
  MigrationError,
  markRolledBack,
  migrate,
  sessionUrl,
  type MigrateResult,
} from '@app/database';
import { UsageError, parseStrict, runCli } from './cli-args.js';

const USAGE = `usage: npm run db:migrate [-- --rolled-back <migration>]

  (no option)                  create the database named by DATABASE_URL (DATABASE_DIRECT_URL when set) if needed,
                               apply pending migrations (ours, then yours from HANDLER_MIGRATIONS_DIR when set)
  --rolled-back <migration>    mark a failed migration as rolled back, so that the next run applies it again

Exit codes: 0 done, 1 failed, 2 usage.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseStrict(argv, {
    'rolled-back': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
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
  if (url === undefined)
    throw new MigrationError(
      'DATABASE_POOLER=transaction: migrations need a session of their own; set DATABASE_DIRECT_URL to Postgres itself (or to a session pooler)',
    );
  if (rolledBack !== undefined) {
    await markEitherRolledBack(url, rolledBack, options.handlerMigrationsDir !== undefined);
    console.log(`marked ${rolledBack} as rolled back; run npm run db:migrate again to re-apply it`);
    return 0;
  }
  const ours = await migrate(url, resolve(options.migrationsDir));
  if (ours.createdDatabase) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  report(ours, 'migrations');
  if (options.handlerMigrationsDir !== undefined) {
    report(
      await migrate(url, resolve(options.handlerMigrationsDir), MIGRATION_TABLES.handlers),
      `handler migrations (${options.handlerMigrationsDir})`,
    );
  }
  return 0;
}

function report(result: MigrateResult, what: string): void {
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(
    result.applied.length === 0
      ? `${what}: up to date (${result.alreadyApplied} applied)`
      : `${what}: ${result.applied.length} applied now, ${result.alreadyApplied} already applied`,
  );
}

/** A failed migration is ours or the team's: the name says which table holds it. */
async function markEitherRolledBack(databaseUrl: string, name: string, handlers: boolean): Promise<void> {
  try {
    await markRolledBack(databaseUrl, name);
  } catch (err) {
    if (!(err instanceof MigrationError) || !handlers) throw err;
    await markRolledBack(databaseUrl, name, MIGRATION_TABLES.handlers);
  }
}

// Expected failures (MigrationError) print their message alone; anything else is prefixed.
runCli('db:migrate', 'npm run db:migrate --', main, [MigrationError]);

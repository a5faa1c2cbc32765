import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MigrationError, markRolledBack, migrate } from '@app/database';
import { MIGRATIONS_DIR, adminQuery, databaseUrl, uniqueName } from './support/test-database.js';

// The migrator stands in for `prisma migrate deploy`; these tests pin the behaviour that makes
// its bookkeeping interchangeable with Prisma's.
describe('db:migrate (the migration applier)', () => {
  const created: string[] = [];
  const tempDirs: string[] = [];
  const newDatabase = () => {
    const name = uniqueName('migrate');
    created.push(name);
    return { name, url: databaseUrl(name) };
  };
  const copyMigrations = () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    tempDirs.push(dir);
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  };
  const query = async <R extends pg.QueryResultRow>(url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  afterAll(async () => {
    for (const name of created) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a missing database and records every migration exactly as Prisma does', async () => {
    const { url } = newDatabase();
    const result = await migrate(url, MIGRATIONS_DIR);
    expect(result.createdDatabase).toBe(true);
    expect(result.applied).toContain('20261123000000_init');

    const rows = await query<Record<string, unknown>>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY started_at');
    expect(rows).toHaveLength(result.applied.length);
    const init = rows.find((r) => r.migration_name === '20261123000000_init')!;
    const sql = readFileSync(join(MIGRATIONS_DIR, '20261123000000_init', 'migration.sql'));
    expect(init.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(init.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(init.finished_at).toBeInstanceOf(Date);
    expect(init).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });

    const columns = await query<{ column_name: string; data_type: string }>(
      url,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name}:${c.data_type}`)).toEqual([
      'id:character varying',
      'checksum:character varying',
      'finished_at:timestamp with time zone',
      'migration_name:character varying',
      'logs:text',
      'rolled_back_at:timestamp with time zone',
      'started_at:timestamp with time zone',
      'applied_steps_count:integer',
    ]);
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['webhook_events', 'invalid_webhooks']));
  });

  it('is a no-op when re-run', async () => {
    const { url } = newDatabase();
    await migrate(url, MIGRATIONS_DIR);
    const before = await query(url, 'SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id');
    const again = await migrate(url, MIGRATIONS_DIR);
    expect(again).toMatchObject({ createdDatabase: false, applied: [] });
    expect(await query(url, 'SELECT id, finished_at FROM "_prisma_migrations" ORDER BY id')).toEqual(before);
  });

  it('applies only new migrations, in order', async () => {
    const { url } = newDatabase();
    const dir = copyMigrations();
    await migrate(url, dir);
    for (const name of ['29990102000000_second', '29990101000000_first']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'migration.sql'), `CREATE TABLE "${name.slice(15)}" (id int);`);
    }
    const result = await migrate(url, dir);
    expect(result.applied).toEqual(['29990101000000_first', '29990102000000_second']);
  });

  it('refuses to run when an applied migration was changed, and says which', async () => {
    const { url } = newDatabase();
    const dir = copyMigrations();
    await migrate(url, dir);
    const file = join(dir, '20261123000000_init', 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n-- tampered\n');
    await expect(migrate(url, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(url, dir)).rejects.toThrow(/20261123000000_init was modified after it was applied/);
  });

  it('records a failed migration like Prisma, refuses to go on until it is marked rolled back', async () => {
    const { url } = newDatabase();
    const dir = copyMigrations();
    await migrate(url, dir);
    mkdirSync(join(dir, '29990101000000_broken'));
    writeFileSync(
      join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE ok_part (id int);\nSELECT * FROM no_such_table;',
    );
    await expect(migrate(url, dir)).rejects.toThrow(
      /29990101000000_broken failed: relation "no_such_table" does not exist/,
    );
    // The script ran as one transaction: its first statement was rolled back too.
    expect(await query(url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'ok_part'`)).toHaveLength(0);
    const [row] = await query(
      url,
      `SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(row).toMatchObject({ finished_at: null, logs: expect.stringContaining('no_such_table') });
    await expect(migrate(url, dir)).rejects.toThrow(/failed earlier and was not resolved/);

    writeFileSync(join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE fixed (id int);');
    await markRolledBack(url, '29990101000000_broken');
    expect((await migrate(url, dir)).applied).toEqual(['29990101000000_broken']);
  });

  it('lets concurrent runs (replicas starting together) apply each migration once', async () => {
    const { url } = newDatabase();
    const results = await Promise.all([1, 2, 3].map(() => migrate(url, MIGRATIONS_DIR)));
    const applied = results.flatMap((r) => r.applied);
    expect(applied.filter((n) => n === '20261123000000_init')).toHaveLength(1);
    const rows = await query(url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(rows).toHaveLength(new Set(applied).size);
  });

  it('npm run db:migrate: one readable line on failure, exit 1, no stack trace', () => {
    const run = spawnSync(process.execPath, ['dist/apps/cli/src/migrate.main.js'], {
      env: { ...process.env, DATABASE_URL: 'mysql://user:secret@localhost/db' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL must be a postgresql:// or postgres:// URL');
    expect(run.stderr).not.toContain('secret');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('npm run db:migrate: migrates the database named by DATABASE_URL', () => {
    const { url } = newDatabase();
    const run = spawnSync(process.execPath, ['dist/apps/cli/src/migrate.main.js'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('applied 20261123000000_init');
    expect(run.status).toBe(0);
  });

  it('npm run db:migrate behind a transaction pooler: migrates through DATABASE_DIRECT_URL, refuses without it', () => {
    const { url } = newDatabase();
    const migrateWith = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['dist/apps/cli/src/migrate.main.js'], {
        env: {
          ...process.env,
          DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
          DATABASE_POOLER: 'transaction',
          ...env,
        },
        encoding: 'utf8',
      });
    const refused = migrateWith({});
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      'DATABASE_POOLER=transaction: migrations need a session of their own; set DATABASE_DIRECT_URL',
    );
    const direct = migrateWith({ DATABASE_DIRECT_URL: url });
    expect(direct.stderr).toBe('');
    expect(direct.stdout).toContain('applied 20261123000000_init');
    expect(direct.status).toBe(0);
  });
});

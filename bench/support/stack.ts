import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '@app/database';
import { adminQuery, databaseUrl } from '../../test/support/test-database.js';

export const POSTGRES_SERVER_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KEY = 'whsk_bench_key';
export const NOTIFICATION_URL = 'https://hooks.example.com/webhooks/square';

export interface BenchDatabase {
  url: string;
  pool: pg.Pool;
  /** Events no longer 'received'. */
  settledCount(): Promise<number>;
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one benchmark run. */
export async function freshDatabase(): Promise<BenchDatabase> {
  const name = `sqwh_bench_${randomBytes(3).toString('hex')}`;
  const url = databaseUrl(name, POSTGRES_SERVER_URL);
  await migrate(url, 'prisma/migrations');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    pool,
    settledCount: async () =>
      Number(
        (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE status <> 'received'`))
          .rows[0]!.n,
      ),
    truncate: async () => {
      await pool.query(
        'TRUNCATE webhook_events, webhook_event_ids, event_attempts, event_claims, payments, refunds, square_objects, invalid_webhooks, job_outbox, forward_deliveries, forward_attempts, forward_destinations, reconcile_checkpoints',
      );
      await pool.query('TRUNCATE bench_handled').catch(() => undefined); // the handler run's table, when it exists
    },
    drop: async () => {
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, POSTGRES_SERVER_URL);
    },
  };
}

export function queuePrefix(): string {
  return `bench_${randomBytes(3).toString('hex')}`;
}

export function baseEnv(databaseUrl: string, prefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
    SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
    SQUARE_ACCESS_TOKEN: 'bench-token',
    JOB_ATTEMPTS: '10',
  };
}

import type pg from 'pg';
import type { DatabaseConfig } from '@app/config';
import { createPgPool, findCapturedEvent, type CapturedEvent } from '@app/database';

// Small reads of the inbox for `replay` and `subscriptions test`, through the database lib's
// statement (no Nest context: the CLI needs a row, or to see one arrive, and a clear error fast).

export function readCapturedEvent(database: DatabaseConfig, eventId: string): Promise<CapturedEvent | undefined> {
  return withPool(database, (pool) => findCapturedEvent(pool, eventId));
}

/** Whether the event reached the inbox within `timeoutMs` (polled every 100 ms). */
export function waitForCapturedEvent(database: DatabaseConfig, eventId: string, timeoutMs: number): Promise<boolean> {
  return withPool(database, async (pool) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await findCapturedEvent(pool, eventId)) !== undefined) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

async function withPool<T>(database: DatabaseConfig, read: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const databaseUrl = database.url;
  const pool = createPgPool({ ...database, poolSize: 1 }, 5000);
  pool.on('error', () => undefined); // the query's own failure says it
  try {
    return await read(pool);
  } catch (err) {
    // The URL may hold a password: name only the database.
    throw new Error(
      `cannot read the event from Postgres (database "${databaseName(databaseUrl)}"): ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export function databaseName(databaseUrl: string): string {
  try {
    return decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || '(default)';
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

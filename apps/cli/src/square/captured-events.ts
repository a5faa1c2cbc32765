import type { DatabaseConfig } from '@app/config';
import { createPgPool, findCapturedEvent, type CapturedEvent } from '@app/database';

// One small read for `replay`, through the database lib's statement (no Nest context: the CLI needs
// a single row and a clear error fast).

export async function readCapturedEvent(database: DatabaseConfig, eventId: string): Promise<CapturedEvent | undefined> {
  const databaseUrl = database.url;
  const pool = createPgPool({ ...database, poolSize: 1 }, 5000);
  pool.on('error', () => undefined); // the query's own failure says it
  try {
    return await findCapturedEvent(pool, eventId);
  } catch (err) {
    // The URL may hold a password: name only the database.
    throw new Error(`cannot read the event from Postgres (database "${databaseName(databaseUrl)}"): ${(err as Error).message}`);
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

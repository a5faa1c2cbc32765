import pg from 'pg';

// One small read for `replay`: a direct query rather than Prisma and a Nest context, because the
// CLI needs a single row and a clear error fast. pg returns bytea as a Buffer, byte for byte.

export interface CapturedEvent {
  rawBody: Buffer;
  eventType: string;
  squareEnvironment: string | null;
}

export async function readCapturedEvent(databaseUrl: string, eventId: string): Promise<CapturedEvent | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ raw_body: Buffer; event_type: string; square_environment: string | null }>(
      'SELECT raw_body, event_type, square_environment FROM webhook_events WHERE event_id = $1',
      [eventId],
    );
    const row = rows[0];
    return row && { rawBody: row.raw_body, eventType: row.event_type, squareEnvironment: row.square_environment };
  } catch (err) {
    // The URL may hold a password: name only the database.
    throw new Error(`cannot read the event from Postgres (database "${databaseName(databaseUrl)}"): ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function databaseName(databaseUrl: string): string {
  try {
    return decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || '(default)';
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

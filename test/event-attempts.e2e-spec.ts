import { ErasureRepository, EventAttemptsRepository, RetentionRepository, createPgPool } from '@app/database';
import { storeInboxEvent } from './support/admin.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// An attempt's error can name the event's objects: its rows go with the event's body, whichever
// way the body goes (retention's purge or an erasure), by the trigger of migration 20261208000000.
describe('event_attempts', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof createPgPool>;
  let attempts: EventAttemptsRepository;

  beforeAll(async () => {
    db = await createTestDatabase('event_attempts');
    pool = createPgPool({ url: db.url, poolSize: 2 });
    attempts = new EventAttemptsRepository(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const twoAttempts = async (eventId: string) => {
    const startedAt = new Date();
    await attempts.record({
      eventId,
      attempt: 1,
      startedAt,
      durationMs: 12,
      outcome: 'retry',
      error: 'GET /v2/payments/P1 → 500',
      handlers: [],
    });
    await attempts.record({
      eventId,
      attempt: 2,
      startedAt,
      durationMs: 8,
      outcome: 'applied',
      error: null,
      handlers: ['square-mirror', 'forward'],
    });
  };

  it("lists an event's attempts oldest first, with what each did", async () => {
    await storeInboxEvent(db, 'att-1', { status: 'processed' });
    await twoAttempts('att-1');
    expect(
      (await attempts.forEvent('att-1')).map(({ attempt, outcome, error, handlers, durationMs }) => ({
        attempt,
        outcome,
        error,
        handlers,
        durationMs,
      })),
    ).toEqual([
      { attempt: 1, outcome: 'retry', error: 'GET /v2/payments/P1 → 500', handlers: [], durationMs: 12 },
      { attempt: 2, outcome: 'applied', error: null, handlers: ['square-mirror', 'forward'], durationMs: 8 },
    ]);
  });

  it("retention's purge of the event's body deletes its attempts", async () => {
    await storeInboxEvent(db, 'att-old', { status: 'processed', receivedAt: '2020-01-01T00:00:00Z' });
    await twoAttempts('att-old');
    await new RetentionRepository(pool).purgeBatch({ events: new Date('2021-01-01T00:00:00Z') }, 100);
    expect(await attempts.forEvent('att-old')).toEqual([]);
    expect(await attempts.forEvent('att-1')).toHaveLength(2); // not old enough: kept
  });

  it("an erasure of the event's seller deletes its attempts", async () => {
    await new ErasureRepository(pool).erase({ merchantId: 'ML7Q2XK4ZP1N9' });
    expect(await attempts.forEvent('att-1')).toEqual([]);
  });
});

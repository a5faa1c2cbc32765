import { EVENT_CATALOG } from '@app/square';
import { FakeSquareServer } from '@app/testing';
import { buildTriggerEvent } from '../apps/cli/src/square/trigger-event.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { stopPipeline } from './support/pipeline.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL } from './support/redis.js';
import { NOTIFICATION_URL, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const TYPES = Object.keys(EVENT_CATALOG);

describe('square trigger: every event type of the catalog, through the pipeline', () => {
  let db: TestDatabase;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let prefix: string;

  beforeAll(async () => {
    db = await createTestDatabase('trigger');
    prefix = uniqueName('q');
    // No synthesized objects: whatever the worker retrieves must have been seeded by trigger.
    fake = new FakeSquareServer({ accessToken: 'test-token', synthesize: false });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await spawnApp(
      'worker',
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        LOG_LEVEL: 'warn',
        WORKER_CONCURRENCY: '16',
      },
      'WORKER_PORT',
    );
  });

  afterAll(async () => {
    await stopPipeline({ worker, ingress, fake, prefix });
    await db?.drop();
  });

  it(`each of the ${TYPES.length} types is captured and processed (or ignored as the catalog says), none dead-lettered`, async () => {
    const ids = new Map<string, string>();
    for (const type of TYPES) {
      const event = buildTriggerEvent(type);
      if (event.seed) fake.put(event.seed.objectType, event.seed.object);
      const res = await ingress.post(event.body, signedHeaders(event.body, KEY));
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
      ids.set(event.eventId, type);
    }
    const rows = await eventually(
      async () => {
        const r = await db.query<{
          event_id: string;
          status: string;
          dead_letter_reason: string | null;
          last_error: string | null;
        }>(
          "SELECT event_id, status, dead_letter_reason, last_error FROM webhook_events WHERE event_id = ANY($1) AND status <> 'received'",
          [[...ids.keys()]],
        );
        return r.length === ids.size ? r : undefined;
      },
      120_000,
      `all ${ids.size} events to settle`,
    );
    const dead = rows
      .filter((r) => r.status === 'dead_lettered')
      .map((r) => `${ids.get(r.event_id)}: ${r.dead_letter_reason} ${r.last_error}`);
    expect(dead).toEqual([]);
    expect(rows.filter((r) => r.status === 'processed').length).toBeGreaterThan(TYPES.length * 0.9);
  });

  it('the CLI: --set overrides the seeded object too, --count sends several, and the outcome is printed', async () => {
    const run = await runNode(
      'dist/apps/cli/src/square.main.js',
      [
        'trigger',
        'payment.updated',
        '--set',
        'data.object.payment.amount_money.amount=777',
        '--count',
        '2',
        '--to',
        `${ingress.url}/webhooks/square`,
        '--url',
        NOTIFICATION_URL,
        '--key',
        KEY,
      ],
      { DATABASE_URL: db.url, SQUARE_BASE_URL: fake.url },
      60_000,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sent = [...run.stdout.matchAll(/^sent payment\.updated (\S+) .*: 200 OK; object payment (\S+)$/gm)];
    expect(sent.length).toBe(2);
    expect(run.stdout.match(/: processed \(applied\); handlers run: none of yours; deliveries: none$/gm)?.length).toBe(
      2,
    );
    const amounts = await db.query('SELECT amount FROM payments WHERE id = ANY($1)', [sent.map((m) => m[2])]);
    expect(amounts).toEqual([{ amount: '777' }, { amount: '777' }]);
  });
});

import { FakeSquareServer } from '@app/testing';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** An event as Square's Events API returns it (the same shape as a webhook's body). */
function loggedEvent(eventId: string, createdAt: Date, type = 'payment.updated') {
  const objectType = type.split('.')[0]!;
  return {
    merchant_id: 'MRECONCILE',
    location_id: 'LRECONCILE',
    type,
    event_id: eventId,
    created_at: createdAt.toISOString(),
    data: {
      type: objectType,
      id: `${objectType}_${eventId}`,
      object: { [objectType]: { id: `${objectType}_${eventId}`, status: 'COMPLETED', version: 1 } },
    },
  };
}

// Never miss an event: what Square's event log has and the inbox does not is recovered, whatever
// happened to the deliveries.
describe("reconcile: the inbox against Square's Events API", () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let env: Record<string, string>;
  const missed = Array.from({ length: 150 }, (_, i) =>
    loggedEvent(`missed-${String(i).padStart(3, '0')}`, new Date(Date.now() - 30 * MINUTE + i * 10_000)),
  );
  const delivered = missed.filter((_, i) => i % 7 === 0); // 22 of them were delivered as webhooks

  const deliver = async (event: object) => {
    const body = Buffer.from(JSON.stringify(event));
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return res.body as { status: string };
  };
  const rows = (ids: readonly string[]) =>
    db.query<{ event_id: string; status: string; source: string; delivery_count: number }>(
      'SELECT event_id, status, source, delivery_count FROM webhook_events WHERE event_id = ANY($1)',
      [ids],
    );
  const allProcessed = (ids: readonly string[], timeoutMs = 20_000) =>
    eventually(
      async () => {
        const found = await rows(ids);
        return found.length === ids.length && found.every((r) => r.status === 'processed') ? found : undefined;
      },
      timeoutMs,
      `${ids.length} events to be processed`,
    );
  const metrics = async () => (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  const recoveredTotal = async () =>
    [...(await metrics()).matchAll(/^square_events_recovered_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );

  beforeAll(async () => {
    db = await createTestDatabase('reconcile');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'app-token', synthesize: true });
    for (const e of missed) fake.eventLog.add(e);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    for (const e of delivered) await deliver(e);
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SQUARE_ACCESS_TOKEN: 'app-token',
      SQUARE_BASE_URL: fake.url,
      LOG_LEVEL: 'warn',
    };
    worker = await spawnApp(
      'worker',
      {
        ...env,
        SQUARE_RECONCILE_INTERVAL_MS: '1000',
        SQUARE_RECONCILE_LOOKBACK_MS: String(60 * MINUTE),
        SQUARE_RECONCILE_OVERLAP_MS: String(MINUTE),
        SQUARE_RECONCILE_LAG_MS: '0',
      },
      'WORKER_PORT',
    );
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  it('recovers what Square never delivered, pages past 100, and leaves the delivered ones untouched', async () => {
    const ids = missed.map((e) => e.event_id);
    const found = await allProcessed(ids);
    const byId = new Map(found.map((r) => [r.event_id, r]));
    for (const e of missed) {
      const wasDelivered = delivered.includes(e);
      expect({
        id: e.event_id,
        source: byId.get(e.event_id)!.source,
        deliveries: byId.get(e.event_id)!.delivery_count,
      }).toEqual({ id: e.event_id, source: wasDelivered ? 'webhook' : 'events_api', deliveries: wasDelivered ? 1 : 0 });
    }
    expect(fake.requestCount('events.search')).toBeGreaterThanOrEqual(2); // 150 events: two pages at least
    expect(await recoveredTotal()).toBe(missed.length - delivered.length);
    expect(worker.output()).toContain('event recovered from the Events API: Square did not deliver it');
    // The searches are Square API calls like the others.
    expect(await metrics()).toMatch(/^square_api_requests_total\{operation="events.search",status="2xx"\} [1-9]/m);
    // Processed like a delivered one: the canonical object is mirrored.
    expect(await db.query('SELECT 1 FROM payments WHERE id = $1', [`payment_${missed[1]!.event_id}`])).toHaveLength(1);
  });

  it('a later webhook delivery of a recovered event is a duplicate', async () => {
    expect(await deliver(missed[1]!)).toMatchObject({ status: 'duplicate' });
    expect(await rows([missed[1]!.event_id])).toEqual([
      expect.objectContaining({ status: 'processed', source: 'events_api', delivery_count: 1 }),
    ]);
    expect(await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', [missed[1]!.event_id])).toHaveLength(1);
  });

  it('a page that fails moves nothing; the next run stores the rest once', async () => {
    const before = await recoveredTotal();
    // The second search request from now fails: a run stores its first page, then stops.
    fake.fail({ id: 'events.search', status: 500, after: 1, times: 1 });
    const later = Array.from({ length: 120 }, (_, i) =>
      loggedEvent(`later-${String(i).padStart(3, '0')}`, new Date(Date.now() + i)),
    );
    for (const e of later) fake.eventLog.add(e);
    const found = await allProcessed(later.map((e) => e.event_id));
    expect(found.every((r) => r.source === 'events_api' && r.delivery_count === 0)).toBe(true);
    expect(await recoveredTotal()).toBe(before + later.length);
    expect(worker.output()).toContain('the Events API search failed');
    const [checkpoint] = await db.query<{ checked_until: Date }>('SELECT checked_until FROM reconcile_checkpoints');
    expect(checkpoint!.checked_until.getTime()).toBeGreaterThan(Date.parse(later.at(-1)!.created_at));
  });

  it('says clearly, once, and in readiness, that the Events API is not enabled', async () => {
    fake.eventLog.enabled = false;
    const ready = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${worker.port}/health/ready`);
        const body = (await res.json()) as { status: string; info: { reconciler?: { state: string; detail: string } } };
        return res.status === 200 && body.info.reconciler?.state === 'refused' ? body : undefined;
      },
      10_000,
      'readiness to report the refusal',
    );
    expect(ready.info.reconciler!.detail).toContain(
      'enable the Events API for this application (npm run square -- events enable;',
    );
    await new Promise((r) => setTimeout(r, 2500)); // a few more intervals
    expect(worker.output().split('Square refused the Events API search').length - 1).toBe(1);
    fake.eventLog.enabled = true;
    await eventually(
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${worker.port}/health/ready`)).json()) as {
          info: { reconciler?: { state: string } };
        };
        return body.info.reconciler?.state === 'ok' || undefined;
      },
      10_000,
      'the reconciler to work again',
    );
  });

  it('backfills an older range once, by type, and reports what it found', async () => {
    const old = new Date(Date.now() - 3 * DAY);
    const events = [
      ...Array.from({ length: 3 }, (_, i) => loggedEvent(`old-payment-${i}`, new Date(old.getTime() + i * MINUTE))),
      ...Array.from({ length: 2 }, (_, i) =>
        loggedEvent(`old-refund-${i}`, new Date(old.getTime() + i * MINUTE), 'refund.updated'),
      ),
    ];
    for (const e of events) fake.eventLog.add(e);
    const range = [
      '--since',
      new Date(old.getTime() - 60 * MINUTE).toISOString(),
      '--until',
      new Date(old.getTime() + 60 * MINUTE).toISOString(),
    ];
    const run = await runNode(
      'dist/apps/cli/src/events.main.js',
      ['backfill', ...range, '--types', 'payment.updated'],
      env,
    );
    expect(run).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/: 3 found, 0 already present, 3 recovered\n$/),
    });
    await allProcessed(['old-payment-0', 'old-payment-1', 'old-payment-2']);
    expect(await rows(['old-refund-0', 'old-refund-1'])).toEqual([]);
    const again = await runNode('dist/apps/cli/src/events.main.js', ['backfill', ...range], env);
    expect(again.stdout).toMatch(/: 5 found, 3 already present, 2 recovered\n$/);

    const tooOld = await runNode(
      'dist/apps/cli/src/events.main.js',
      ['backfill', '--since', new Date(Date.now() - 30 * DAY).toISOString()],
      env,
    );
    expect(tooOld).toMatchObject({ code: 1, stderr: expect.stringContaining("Square's Events API keeps 28 days") });
    const noToken = await runNode('dist/apps/cli/src/events.main.js', ['backfill', ...range], {
      ...env,
      SQUARE_ACCESS_TOKEN: '',
    });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('backfill needs SQUARE_ACCESS_TOKEN') });
  });
});

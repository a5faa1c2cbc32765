import type { INestApplication } from '@nestjs/common';
import { FakeSquareServer, OBJECT_SAMPLES } from '@app/testing';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { deleteQueuePrefix } from './support/redis.js';
import { signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually, startWorker, workerConfig } from './support/worker.js';

const KEY = 'whsk_test_key';
const MERCHANT = 'MMIRROR';

// Every Square object, not only payments: each event of the catalog ends in the right square_objects
// row, only ever replaced by a strictly newer version, whatever order the events come in.
describe('mirror: every Square object in square_objects', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: INestApplication;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('mirror');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ accessToken: 'test-token' });
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    worker = await startWorker(workerConfig(db.url, prefix, fake.url));
  });

  afterAll(async () => {
    await worker?.close();
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  /** Delivers a signed event; resolves with its settled inbox row. */
  const deliver = async (type: string, data: Record<string, unknown>, eventId = `mirror-${++n}`) => {
    const body = Buffer.from(
      JSON.stringify({ merchant_id: MERCHANT, type, event_id: eventId, created_at: new Date().toISOString(), data }),
    );
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return eventually(
      async () => {
        const [row] = await db.query<{ status: string; outcome: string; dead_letter_reason: string | null }>(
          'SELECT status, outcome, dead_letter_reason FROM webhook_events WHERE event_id = $1',
          [eventId],
        );
        return row && row.status !== 'received' ? row : undefined;
      },
      15_000,
      `${type} ${eventId} to settle`,
    );
  };
  const stored = async (objectType: string, objectId: string) =>
    (
      await db.query<{
        version: string | null;
        deleted: boolean;
        source: string;
        data: Record<string, unknown>;
        merchant_id: string;
        last_event_id: string;
      }>(
        'SELECT version, deleted, source, data, merchant_id, last_event_id FROM square_objects WHERE object_type = $1 AND object_id = $2',
        [objectType, objectId],
      )
    )[0];
  const sample = (objectType: string, id: string, version: number, extra: Record<string, unknown> = {}) => ({
    ...OBJECT_SAMPLES[objectType],
    id,
    version,
    updated_at: `2026-10-0${version}T10:00:00Z`,
    ...extra,
  });

  // created → retrieved; updated → the newer retrieval replaces it; deleted (where Square has it) →
  // marked deleted, keeping the last data.
  it.each([
    ['order', 'order.created', 'order.updated', 'no deletion event'],
    ['customer', 'customer.created', 'customer.updated', 'customer.deleted'],
    ['invoice', 'invoice.created', 'invoice.updated', 'invoice.deleted'],
    ['dispute', 'dispute.created', 'dispute.state.updated', 'no deletion event'],
    ['subscription', 'subscription.created', 'subscription.updated', 'no deletion event'],
    ['booking', 'booking.created', 'booking.updated', 'no deletion event'],
  ] as const)('%s: %s, %s, then %s', async (objectType, created, updated, deleted) => {
    const id = `${objectType}_lifecycle`;
    fake.put(objectType, sample(objectType, id, 1));
    expect(await deliver(created, { type: objectType, id })).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(await stored(objectType, id)).toMatchObject({
      version: '1',
      deleted: false,
      source: 'api',
      merchant_id: MERCHANT,
    });

    fake.put(objectType, sample(objectType, id, 2));
    // The snapshot in the event is stale (version 1): the retrieved object is what is stored.
    expect(
      await deliver(updated, { type: objectType, id, object: { [objectType]: sample(objectType, id, 1) } }),
    ).toMatchObject({ outcome: 'applied' });
    expect(await stored(objectType, id)).toMatchObject({ version: '2', data: expect.objectContaining({ version: 2 }) });

    if (deleted.endsWith('.deleted')) {
      expect(await deliver(deleted, { type: objectType, id, deleted: true })).toMatchObject({ status: 'processed' });
      expect(await stored(objectType, id)).toMatchObject({
        version: '2',
        deleted: true,
        data: expect.objectContaining({ version: 2 }),
      });
    }
  });

  it('an older retrieval arriving late never replaces a newer row', async () => {
    fake.put('order', sample('order', 'order_late', 3));
    expect(await deliver('order.updated', { type: 'order', id: 'order_late' })).toMatchObject({ outcome: 'applied' });
    fake.put('order', sample('order', 'order_late', 2)); // a stale read, as from a lagging replica
    expect(await deliver('order.updated', { type: 'order', id: 'order_late' })).toMatchObject({ outcome: 'unchanged' });
    expect(await stored('order', 'order_late')).toMatchObject({ version: '3' });
  });

  it('a snapshot-only object (customer custom attribute): out-of-order versions never replace a newer row', async () => {
    const attribute = (version: number) => ({
      key: 'favorite-drink',
      value: `v${version}`,
      version,
      updated_at: `2026-10-0${version}T10:00:00Z`,
    });
    const id = 'CUST1:favorite-drink';
    for (const [version, outcome] of [
      [2, 'applied'],
      [1, 'unchanged'],
      [3, 'applied'],
    ] as const) {
      expect(
        await deliver('customer.custom_attribute.updated', {
          type: 'custom_attribute',
          id,
          object: { custom_attribute: attribute(version) },
        }),
      ).toMatchObject({ outcome });
    }
    expect(await stored('customer_custom_attribute', id)).toMatchObject({
      version: '3',
      source: 'snapshot',
      data: attribute(3),
    });
    expect(fake.requestCount(id)).toBe(0); // no single-object GET: nothing was asked of the API
  });

  it('a stale snapshot never replaces a retrieved object (card.forgotten after card.updated)', async () => {
    fake.put('card', sample('card', 'card_1', 5));
    await deliver('card.updated', { type: 'card', id: 'card_1' });
    expect(
      await deliver('card.forgotten', {
        type: 'card',
        id: 'card_1',
        object: { card: sample('card', 'card_1', 4, { enabled: false }) },
      }),
    ).toMatchObject({ outcome: 'unchanged' });
    expect(await stored('card', 'card_1')).toMatchObject({ version: '5', source: 'api' });
  });

  it('duplicates apply once', async () => {
    fake.put('order', sample('order', 'order_dup', 1));
    const first = await deliver('order.updated', { type: 'order', id: 'order_dup' }, 'order-dup-event');
    const body = Buffer.from(
      JSON.stringify({
        merchant_id: MERCHANT,
        type: 'order.updated',
        event_id: 'order-dup-event',
        data: { type: 'order', id: 'order_dup' },
      }),
    );
    expect((await ingress.post(body, signedHeaders(body, KEY))).body.status).toBe('duplicate');
    expect(first.outcome).toBe('applied');
    expect(await db.query('SELECT 1 FROM event_claims WHERE event_id = $1', ['order-dup-event'])).toHaveLength(1);
    expect(fake.requestCount('order_dup')).toBe(1);
  });

  it('inventory: one row per counted item, location and state; an older count changes nothing', async () => {
    const count = (item: string, quantity: string, at: string) => ({
      catalog_object_id: item,
      catalog_object_type: 'ITEM_VARIATION',
      state: 'IN_STOCK',
      location_id: 'L1',
      quantity,
      calculated_at: at,
    });
    await deliver('inventory.count.updated', {
      type: 'inventory',
      id: 'inv-1',
      object: {
        inventory_counts: [count('VAR1', '5', '2026-10-02T10:00:00Z'), count('VAR2', '7', '2026-10-02T10:00:00Z')],
      },
    });
    expect(
      await deliver('inventory.count.updated', {
        type: 'inventory',
        id: 'inv-2',
        object: { inventory_counts: [count('VAR1', '4', '2026-10-01T10:00:00Z')] },
      }),
    ).toMatchObject({ outcome: 'unchanged' });
    const rows = await db.query<{ object_id: string; data: { quantity: string } }>(
      `SELECT object_id, data FROM square_objects WHERE object_type = 'inventory_count' ORDER BY object_id`,
    );
    expect(rows.map((r) => [r.object_id, r.data.quantity])).toEqual([
      ['VAR1:L1:IN_STOCK', '5'],
      ['VAR2:L1:IN_STOCK', '7'],
    ]);
  });

  it('catalog: a new catalog version mirrors the catalog objects changed since the last one stored, deletions included', async () => {
    const T1 = '2026-10-02T10:00:00.000Z';
    const T2 = '2026-10-02T11:00:00.000Z';
    fake.putCatalogObject({
      type: 'ITEM',
      id: 'ITEM1',
      version: 100,
      updated_at: T1,
      is_deleted: false,
      item_data: { name: 'Flat white' },
    });
    fake.putCatalogObject({
      type: 'ITEM',
      id: 'ITEM2',
      version: 100,
      updated_at: T1,
      is_deleted: false,
      item_data: { name: 'Cortado' },
    });
    await deliver('catalog.version.updated', {
      type: 'catalog',
      id: 'v1',
      object: { catalog_version: { updated_at: T1 } },
    });
    expect(await stored('catalog_object', 'ITEM1')).toMatchObject({ version: '100', deleted: false });

    fake.putCatalogObject({
      type: 'ITEM',
      id: 'ITEM1',
      version: 101,
      updated_at: T2,
      is_deleted: false,
      item_data: { name: 'Flat white, oat' },
    });
    fake.putCatalogObject({
      type: 'ITEM',
      id: 'ITEM2',
      version: 101,
      updated_at: T2,
      is_deleted: true,
      item_data: { name: 'Cortado' },
    });
    expect(
      await deliver('catalog.version.updated', {
        type: 'catalog',
        id: 'v2',
        object: { catalog_version: { updated_at: T2 } },
      }),
    ).toMatchObject({ outcome: 'applied' });
    expect(await stored('catalog_object', 'ITEM1')).toMatchObject({
      version: '101',
      data: expect.objectContaining({ item_data: { name: 'Flat white, oat' } }),
    });
    expect(await stored('catalog_object', 'ITEM2')).toMatchObject({ deleted: true });
  });

  it('ids are escaped in paths; an id the API does not know is dead-lettered', async () => {
    fake.put('order', sample('order', 'ord/with space?', 1));
    expect(await deliver('order.created', { type: 'order', id: 'ord/with space?' })).toMatchObject({
      status: 'processed',
    });
    expect(await stored('order', 'ord/with space?')).toBeDefined();
    expect(await deliver('order.updated', { type: 'order', id: 'order_nobody_knows' })).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'square_404',
    });
  });

  it('an event type Square added later is stored from its snapshot rather than dropped', async () => {
    expect(
      await deliver('espresso.pulled', {
        type: 'espresso',
        id: 'shot-1',
        object: { espresso: { id: 'shot-1', shots: 2, updated_at: '2026-10-02T10:00:00Z' } },
      }),
    ).toMatchObject({ outcome: 'applied' });
    expect(await stored('espresso', 'shot-1')).toMatchObject({
      source: 'snapshot',
      data: { id: 'shot-1', shots: 2, updated_at: '2026-10-02T10:00:00Z' },
    });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandEventTypes } from '@app/square';
import { FAKE_TOKEN_WITHOUT_PERMISSION, FakeSquareServer, type FakeSubscription } from '@app/testing';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { freePort } from './support/servers.js';
import { signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const CLI = resolve('dist/apps/cli/src/square.main.js');
const TOKEN = 'app-token';
const MIRRORED = 'payment.*,refund.*';
const EXPECTED = expandEventTypes(['payment.*', 'refund.*', 'oauth.authorization.revoked']);

// Square's side as code, with the built CLI against the fake Square API (its Webhook Subscriptions
// API, the SDK's wire format) and the real ingress on a loopback http URL (which only the fake
// accepts: Square wants https).
describe('square subscriptions|events (npm run square)', () => {
  let db: TestDatabase;
  let fake: FakeSquareServer;
  let ingress: TestIngress | undefined;
  let port: number;
  let url: string;
  const tmp = mkdtempSync(join(tmpdir(), 'square-subs-'));

  beforeAll(async () => {
    db = await createTestDatabase('square_subs');
    fake = new FakeSquareServer({ accessToken: TOKEN });
    await fake.listen();
    port = await freePort();
    url = `http://127.0.0.1:${port}/webhooks/square`;
  });

  afterAll(async () => {
    await ingress?.close();
    await fake?.close();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    SQUARE_ACCESS_TOKEN: TOKEN,
    SQUARE_BASE_URL: fake.url,
    SQUARE_WEBHOOK_NOTIFICATION_URL: url,
    SQUARE_MIRROR_EVENT_TYPES: MIRRORED,
    SQUARE_EVENT_HANDLERS: '',
    FORWARD_DESTINATIONS_FILE: '',
    SQUARE_API_VERSION: '',
    SQUARE_WEBHOOK_SIGNATURE_KEYS: '',
    DATABASE_URL: db.url,
    INIT_CWD: '',
    ...extra,
  });
  const square = (args: string[], extra: Record<string, string> = {}) => runNode(CLI, args, env(extra), 60_000);
  const only = (): FakeSubscription => {
    const all = [...fake.webhooks.subscriptions.values()];
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const restartIngress = async (keys: string[]) => {
    await ingress?.close();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: keys, notificationUrl: url }), port);
  };

  it('sync on an empty account creates the subscription with the consumed types, the pinned version, enabled, and prints its key once', async () => {
    const run = await square(['subscriptions', 'sync']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const created = only();
    expect(created).toMatchObject({
      notification_url: url,
      api_version: '2026-09-16',
      enabled: true,
      event_types: EXPECTED,
    });
    expect(run.stdout).toContain(`no subscription for ${url}: creating one`);
    expect(run.stdout).toContain('  + payment.created\n');
    expect(run.stdout).toContain('  + oauth.authorization.revoked\n');
    expect(run.stdout).toContain(`created subscription ${created.id}`);
    expect(run.stdout.split(created.signature_key)).toHaveLength(2);
  });

  it('a second sync is a no-op', async () => {
    const before = { ...only() };
    const run = await square(['subscriptions', 'sync']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`no changes: ${EXPECTED.length} event types at api version 2026-09-16, enabled`);
    expect(run.stdout).not.toMatch(/^ {2}[+-] /m);
    expect(only()).toEqual(before);
  });

  it('a destination for invoice.* makes --dry-run show those types, and changes nothing; sync then applies them', async () => {
    const file = join(tmp, 'destinations.yml');
    writeFileSync(
      file,
      'destinations:\n  - name: invoices\n    url: https://invoices.example.com/hook\n    secret: ${INVOICES_SECRET}\n    eventTypes: ["invoice.*"]\n',
    );
    const before = { ...only() };
    const extra = { FORWARD_DESTINATIONS_FILE: file };
    const dry = await square(['subscriptions', 'sync', '--dry-run'], extra);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const invoiceTypes = expandEventTypes(['invoice.*']);
    expect(invoiceTypes.length).toBeGreaterThan(3);
    for (const type of invoiceTypes) expect(dry.stdout).toContain(`  + ${type}\n`);
    expect(dry.stdout).not.toContain('  - ');
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(only()).toEqual(before);

    // A handler module's eventTypes count too, read from the module as the worker loads it.
    const handler = join(tmp, 'customers.handler.mjs');
    writeFileSync(handler, "export default [{ name: 'customers', eventTypes: ['customer.created'], handle() {} }];\n");
    const withHandler = await square(['subscriptions', 'sync', '--dry-run'], { SQUARE_EVENT_HANDLERS: handler });
    expect(withHandler.stdout).toContain('  + customer.created\n');
    expect(withHandler.stdout).not.toContain('  + invoice.created\n');
    expect(only()).toEqual(before);

    // A pinned version moves too; then back to the default, and nothing is left to do.
    const applied = await square(['subscriptions', 'sync'], { ...extra, SQUARE_API_VERSION: '2026-10-15' });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('api version: 2026-09-16 → 2026-10-15');
    expect(only()).toMatchObject({ api_version: '2026-10-15', event_types: [...EXPECTED, ...invoiceTypes].sort() });
    const back = await square(['subscriptions', 'sync']);
    expect(back.stdout).toContain('  - invoice.created\n');
    expect(back.stdout).toContain('api version: 2026-10-15 → 2026-09-16');
    expect(only()).toMatchObject({ api_version: '2026-09-16', event_types: EXPECTED });
  });

  it('test round-trips through the real ingress and says how long it took', async () => {
    await restartIngress([only().signature_key]);
    const run = await square(['subscriptions', 'test'], { SQUARE_WEBHOOK_SIGNATURE_KEYS: only().signature_key });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const eventId = fake.webhooks.testDeliveries.at(-1)!.eventId;
    expect(run.stdout).toMatch(
      new RegExp(`^ok: Square's test notification ${eventId} was captured by the ingress at ${url} in \\d+ ms`),
    );
    expect(await db.query('SELECT event_type FROM webhook_events WHERE event_id = $1', [eventId])).toEqual([
      { event_type: 'webhooks.test_notification' },
    ]);
  });

  it('test fails clearly with a wrong key (with the diagnosis), and when the URL is unreachable', async () => {
    await restartIngress(['whsk_wrong_key']);
    const wrong = await square(['subscriptions', 'test'], { SQUARE_WEBHOOK_SIGNATURE_KEYS: 'whsk_wrong_key' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      `failed: the ingress at ${url} refused the signature of Square's test notification (401)`,
    );
    expect(wrong.stderr).toContain('invalid: the signature is not HMAC-SHA256');
    expect(wrong.stderr).toContain('with SQUARE_WEBHOOK_SIGNATURE_KEYS #1');

    await ingress!.close();
    ingress = undefined;
    const down = await square(['subscriptions', 'test']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`failed: Square could not reach ${url} (no answer)`);
  });

  it('rotate-key prints the new key once; an ingress restarted with both keys accepts deliveries signed with either', async () => {
    const oldKey = only().signature_key;
    const run = await square(['subscriptions', 'rotate-key']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const newKey = only().signature_key;
    expect(newKey).not.toBe(oldKey);
    expect(run.stdout.split(newKey)).toHaveLength(2);
    expect(run.stdout).not.toContain(oldKey);
    expect(run.stdout).toContain('Add it to SQUARE_WEBHOOK_SIGNATURE_KEYS beside the key in use');

    await restartIngress([newKey, oldKey]);
    const body = (id: string) =>
      Buffer.from(
        JSON.stringify({
          merchant_id: 'M1',
          type: 'webhooks.test_notification',
          event_id: id,
          created_at: new Date().toISOString(),
          data: { type: 'webhooks', id },
        }),
      );
    // One body per delivery: body() reads the clock, and the signature must cover the bytes sent.
    const [signedOld, signedNew] = [body('rotated-old'), body('rotated-new')];
    expect((await ingress!.post(signedOld, signedHeaders(signedOld, oldKey, url))).status).toBe(200);
    expect((await ingress!.post(signedNew, signedHeaders(signedNew, newKey, url))).status).toBe(200);
    // And Square's own delivery, signed with the new key.
    const test = await square(['subscriptions', 'test'], { SQUARE_WEBHOOK_SIGNATURE_KEYS: `${newKey},${oldKey}` });
    expect(test.code).toBe(0);
  });

  it('list shows the subscriptions, ours marked', async () => {
    const run = await square(['subscriptions', 'list']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`${only().id} enabled ${url} (ours: SQUARE_WEBHOOK_NOTIFICATION_URL)`);
    expect(run.stdout).not.toContain(only().signature_key);
  });

  it('bad input: no token, a token Square refuses, one without permission, a URL that is not https — one line, exit 2, nothing changed', async () => {
    const before = { ...only() };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SQUARE_ACCESS_TOKEN: '' }, /^square: SQUARE_ACCESS_TOKEN is not set/],
      [{ SQUARE_ACCESS_TOKEN: 'not-a-token' }, /^square: Square refused SQUARE_ACCESS_TOKEN \(401 UNAUTHORIZED\)/],
      [
        { SQUARE_ACCESS_TOKEN: FAKE_TOKEN_WITHOUT_PERMISSION },
        /^square: SQUARE_ACCESS_TOKEN may not do this \(403 INSUFFICIENT_SCOPES\)/,
      ],
      [
        { SQUARE_WEBHOOK_NOTIFICATION_URL: 'http://hooks.example.com/webhooks/square' },
        /^square: Square refused it \(400 INVALID_VALUE\): The notification URL must be a valid https URL/,
      ],
    ];
    for (const [extra, message] of cases) {
      const run = await square(['subscriptions', 'sync'], extra);
      expect({
        code: run.code,
        stdout: run.stdout.includes('created subscription'),
        lines: run.stderr.trim().split('\n').length,
      }).toEqual({ code: 2, stdout: false, lines: 1 });
      expect(run.stderr).toMatch(message);
    }
    expect(only()).toEqual(before);
  });

  it('events enable turns the Events API on, and says earlier events are never searchable', async () => {
    fake.eventLog.enabled = false;
    const search = () =>
      fetch(`${fake.url}/v2/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => r.status);
    expect(await search()).toBe(403);
    const refused = await square(['events', 'enable'], { SQUARE_ACCESS_TOKEN: FAKE_TOKEN_WITHOUT_PERMISSION });
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /^square: SQUARE_ACCESS_TOKEN may not do this \(403 INSUFFICIENT_SCOPES\)[^\n]*\n$/,
      ),
    });
    expect(await search()).toBe(403);
    const run = await square(['events', 'enable']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('Events from before now are never searchable');
    expect(await search()).toBe(200);
  });
});

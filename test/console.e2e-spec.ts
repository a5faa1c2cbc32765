import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';
import { ADMIN_MAIN, storeInboxEvent } from './support/admin.js';
import { launchChromium } from './support/browser.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { WebhookReceiver } from './support/receiver.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { freePort } from './support/servers.js';
import { NOTIFICATION_URL, paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const PAYMENT = SAMPLE_PAYMENTS[0]!;
const PAYMENT_ID = String(PAYMENT.id);
const MISSING_PAYMENT = 'PAYMENT_SQUARE_DOES_NOT_HAVE_YET';
// The seller whose events also go to `outage`, a destination that answers 500 until told otherwise.
const OUTAGE_MERCHANT = 'MOUTAGE1';
const OUTAGE_PAYMENT = 'PAYMENT_FOR_THE_OUTAGE';
const SECRET = `whsec_${Buffer.from('console-secret-0123456789abcdefg').toString('base64')}`;
// `npm run docs:screenshots` writes them into docs/console/; other runs take them all the same
// (each page rendered in full), into a temporary directory, leaving the tracked files alone.
const SHOTS = process.env.CONSOLE_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'console-shots-'));

// The console in a real browser (Debian's chromium through playwright-core), over the real admin
// and worker processes, the ingress, Postgres and Redis; only Square is faked. The screenshots in
// docs/console/ are taken here.
describe('the operator console, in a browser', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let admin: AppProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let elsewhere: Server;
  let env: Record<string, string>;
  const receiver = new WebhookReceiver(SECRET);
  const outage = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    browser = await launchChromium();
    db = await createTestDatabase('console');
    prefix = uniqueName('q');
    await receiver.listen();
    outage.answer = () => ({ status: 500 });
    await outage.listen();
    const file = join(mkdtempSync(join(tmpdir(), 'console-')), 'destinations.yml');
    writeFileSync(
      file,
      `destinations:\n  - { name: ledger, url: '${receiver.url}', secret: '\${HOOK_SECRET}', eventTypes: [payment.*] }
  - { name: outage, url: '${outage.url}', secret: '\${HOOK_SECRET}', eventTypes: [payment.*], merchantIds: [${OUTAGE_MERCHANT}] }\n`,
    );
    fake = new FakeSquareServer({ accessToken: 'test-token' });
    fake.put('payment', PAYMENT);
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      FORWARD_DESTINATIONS_FILE: file,
      HOOK_SECRET: SECRET,
      LOG_LEVEL: 'warn',
    };
    worker = await spawnApp(
      'worker',
      {
        ...env,
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        JOB_ATTEMPTS: '3',
        JOB_BACKOFF_MS: '50',
        // Small: the outage destination's circuit opens (5 failures in a row) within seconds.
        FORWARD_BACKOFF_MS: '50',
        FORWARD_MAX_BACKOFF_MS: '1000',
        FORWARD_PROBE_MAX_MS: '1000',
      },
      'WORKER_PORT',
    );
    admin = await spawnApp(
      ADMIN_MAIN,
      { ...env, HOOK_SECRET: '', ADMIN_HOST: '127.0.0.1', ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'console-password' },
      'ADMIN_PORT',
    );
    base = `http://127.0.0.1:${admin.port}`;
    context = await browser.newContext({
      httpCredentials: { username: 'ops', password: 'console-password' },
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    // Another origin (another port), whose page posts a form to the admin app.
    const elsewherePort = await freePort();
    elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
        .end(`<form id="f" method="post" action="${base}/events/dl-cross/replay"></form>
<script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(elsewherePort, '127.0.0.1', resolve));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => elsewhere?.close(resolve));
    await worker?.stop('SIGKILL');
    await admin?.stop('SIGKILL');
    await ingress?.close();
    await receiver.close();
    await outage.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const send = async (eventId: string, paymentId: string, merchantId?: string) => {
    const body = paymentEventBody(eventId, paymentId, 3, merchantId);
    expect((await ingress.post(body, signedHeaders(body, KEY))).status).toBe(200);
  };
  const statusOf = async (eventId: string) =>
    (
      await db.query<{ status: string }>('SELECT status::text AS status FROM webhook_events WHERE event_id = $1', [
        eventId,
      ])
    )[0]?.status;
  const becomes = (eventId: string, status: string) =>
    eventually(
      async () => ((await statusOf(eventId)) === status ? true : undefined),
      30_000,
      `${eventId} to be ${status}`,
    );
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const onPhone = async (path: string, name: string) => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}${path}`);
    expect(
      await phone.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    ).toBeLessThanOrEqual(0); // nothing wider
    await phone.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    await phone.close();
  };

  it('finds an event by its payment id, shows its three failed attempts, replays it after a confirmation, and shows it processed and delivered', async () => {
    fake.fail({ id: PAYMENT_ID, status: 500, times: 3 }); // every one of its 3 attempts
    await send('dl-story', PAYMENT_ID);
    await becomes('dl-story', 'dead_lettered');

    await page.goto(`${base}/events`);
    await page.getByLabel('Object id (payment, order, customer…)').fill(PAYMENT_ID);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/objectId=/);
    expect(page.url()).toContain(`objectId=${PAYMENT_ID}`); // the filters are in the URL
    await shot('events');
    await page.getByRole('link', { name: 'dl-story' }).click();
    await page.waitForURL(/\/events\/dl-story$/);

    const attempts = page
      .locator('table', { has: page.getByRole('columnheader', { name: 'Handlers run' }) })
      .locator('tbody tr');
    await expect(attempts.count()).resolves.toBe(3);
    expect(await attempts.allInnerTexts()).toEqual([
      expect.stringMatching(/^1\t.*\tretry\t.*500/s),
      expect.stringMatching(/^2\t.*\tretry\t.*500/s),
      expect.stringMatching(/^3\t.*\tdead_lettered\t.*500/s),
    ]);
    await expect(page.getByText('"payment": {').count()).resolves.toBe(1); // the payload, pretty-printed

    await page.getByRole('link', { name: 'Replay…' }).click();
    await page.waitForURL(/\/events\/dl-story\/replay$/);
    await shot('replay-confirm');
    expect(await statusOf('dl-story')).toBe('dead_lettered'); // nothing happens before the confirmation
    await page.getByRole('button', { name: 'Replay this event' }).click();
    await page.waitForURL(/\/events\/dl-story\?replayed=1$/);
    await becomes('dl-story', 'processed');
    await eventually(
      async () => (receiver.of('dl-story').length > 0 ? true : undefined),
      30_000,
      'the delivery to ledger',
    );
    await eventually(
      async () => {
        await page.reload();
        return (await page.getByText('delivered', { exact: true }).count()) > 0 ? true : undefined;
      },
      30_000,
      'the page to show the delivery delivered',
    );
    await expect(page.locator('.badge').first().innerText()).resolves.toBe('processed');
    await expect(attempts.count()).resolves.toBe(4);
    expect(await attempts.nth(3).innerText()).toMatch(/^1\t.*\tapplied\t.*mirror/s);
    await expect(page.getByRole('heading', { name: /^To ledger/ }).count()).resolves.toBe(1);
    // Processed now: Square's 500 is an earlier attempt's error, not the event's current one.
    await expect(page.locator('dt:text-is("Last error") + dd').first().innerText()).resolves.toBe('—');
    await expect(page.locator('dt:text-is("Earlier error") + dd').innerText()).resolves.toMatch(
      /^GET \/v2\/payments\/\S+ → 500 INTERNAL_SERVER_ERROR$/,
    );
    await shot('event');
  }, 120_000);

  it('the events CLI shows the same story: list by object id, show, deliveries (--json and text)', async () => {
    const events = (...args: string[]) => runNode('dist/apps/cli/src/events.main.js', args, env, 60_000);
    const listed = await events('list', '--object-id', PAYMENT_ID, '--type', 'payment.*', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      events: [{ eventId: 'dl-story', status: 'processed' }],
      nextCursor: null,
    });
    const shown = await events('show', 'dl-story', '--json');
    expect(shown.code).toBe(0);
    const story = JSON.parse(shown.stdout) as {
      processingAttempts: Array<{ outcome: string }>;
      deliveries: Array<{ id: string; destination: string; status: string }>;
    };
    expect(story.processingAttempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead_lettered', 'applied']);
    expect(story.deliveries).toMatchObject([
      { destination: 'ledger', status: 'delivered', attemptLog: [{ statusCode: 200, error: null }] },
    ]);
    // Bull Board's delivery cards link to /deliveries/<id>: the delivery's event, at its deliveries.
    await page.goto(`${base}/deliveries/${story.deliveries[0]!.id}`);
    expect(page.url()).toBe(`${base}/events/dl-story#forwarding`);
    const text = await events('deliveries', 'show', story.deliveries[0]!.id);
    expect(text.stdout).toContain('to  ledger  delivered');
    const listedDeliveries = await events('deliveries', 'list', '--event-id', 'dl-story');
    expect(listedDeliveries.stdout).toMatch(/ledger {2}delivered {2}dl-story {2}attempts=1/);
    const bad = await events('list', '--from', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be an ISO 8601 date');
    expect((await events('show', 'no-such-event')).code).toBe(1);
  }, 240_000); // seven CLI runs of ~5 s each on a loaded machine

  it('replays a dead-letter group after showing its dry-run count', async () => {
    await send('dl-group-1', MISSING_PAYMENT);
    await send('dl-group-2', MISSING_PAYMENT);
    await becomes('dl-group-1', 'dead_lettered');
    await becomes('dl-group-2', 'dead_lettered');
    fake.put('payment', { ...PAYMENT, id: MISSING_PAYMENT });

    await page.goto(`${base}/dead-letters`);
    const group = page.getByRole('row', { name: /square_404/ });
    await expect(group.getByRole('cell').nth(2).innerText()).resolves.toBe('2');
    await shot('dead-letters');
    await group.getByRole('link', { name: /Replay 2 payment\.updated events/ }).click();
    await expect(page.locator('#dry-run-count').innerText()).resolves.toBe('2');
    await shot('dead-letter-dry-run');
    expect(await statusOf('dl-group-1')).toBe('dead_lettered'); // a dry run changes nothing
    await page.getByRole('button', { name: 'Replay 2 event(s)' }).click();
    await page.waitForURL(/\/dead-letters\?replayed=2$/);
    await becomes('dl-group-1', 'processed');
    await becomes('dl-group-2', 'processed');
  }, 120_000);

  it("shows a failing destination with its last error, pauses and resumes it after confirmations, and the delivery's attempts", async () => {
    const stateOf = async (name: string) =>
      (
        await db.query<{ state: string }>('SELECT state::text AS state FROM forward_destinations WHERE name = $1', [
          name,
        ])
      )[0]?.state;
    fake.put('payment', { ...PAYMENT, id: OUTAGE_PAYMENT });
    await send('fw-outage', OUTAGE_PAYMENT, OUTAGE_MERCHANT);
    await eventually(
      async () => ((await stateOf('outage')) === 'failing' ? true : undefined),
      30_000,
      'the outage circuit to open',
    );

    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Destinations', exact: true }).click();
    const row = page.getByRole('row', { name: /^outage/ });
    // State (since, next try), backlog, the last 5 and 60 minutes, the last error.
    expect(await row.innerText()).toMatch(
      /^outage\tfailing\nsince \S+ \S+ · next try .*\t1\t0% of \d+\n.*\t0% of \d+\n.*\tdestination outage answered 500\t/s,
    );
    await shot('destinations');

    await row.getByRole('link', { name: 'Pause…' }).click();
    await page.waitForURL(/\/destinations\/outage\/pause$/);
    await shot('destination-pause-confirm');
    expect(await stateOf('outage')).toBe('failing'); // nothing happens before the confirmation
    await page.getByRole('button', { name: 'Pause this destination' }).click();
    await page.waitForURL(/\/destinations\?done=paused&name=outage$/);
    expect(await stateOf('outage')).toBe('paused');
    await expect(row.innerText()).resolves.toMatch(/^outage\tpaused\nsince .* by console:ops\t/);

    outage.answer = () => ({ status: 200 });
    await row.getByRole('link', { name: 'Resume…' }).click();
    await page.getByRole('button', { name: 'Resume this destination' }).click();
    await page.waitForURL(/done=resumed/);
    await eventually(
      async () =>
        (
          await db.query<{ status: string }>(
            `SELECT status::text AS status FROM forward_deliveries WHERE destination = 'outage'`,
          )
        )[0]?.status === 'delivered'
          ? true
          : undefined,
      30_000,
      'delivered',
    );

    await page.goto(`${base}/events/fw-outage`);
    await shot('event-forward-attempts');
    const texts = await page
      .getByRole('table', { name: 'Attempts to outage, oldest first' })
      .locator('tbody tr')
      .allInnerTexts();
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts[0]).toMatch(/\t500\t\d+ ms\t.*500/s); // a failure, with its error
    expect(texts.at(-1)).toMatch(/\t200\t\d+ ms/); // then the success
    const shown = await runNode('dist/apps/cli/src/events.main.js', ['show', 'fw-outage'], env, 60_000);
    expect(shown.stdout).toMatch(/delivery \d+ {2}outage {2}delivered\n {2}tried {2}\S+ {2}500 {2}\d+ ms/);

    await onPhone('/destinations', 'destinations-phone');
  }, 120_000);

  it("refuses a change posted from another origin, with the browser's own credentials", async () => {
    await send('dl-cross', `${MISSING_PAYMENT}_X`);
    await becomes('dl-cross', 'dead_lettered');
    const answer = page.waitForResponse(
      (r) => r.url().startsWith(base) && r.request().method() === 'POST' && r.status() !== 401,
    );
    await page.goto(`http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/`);
    expect((await answer).status()).toBe(403);
    expect(await statusOf('dl-cross')).toBe('dead_lettered');
  }, 60_000);

  it('shows the overview, sellers and rejected deliveries, on a desktop and on a phone', async () => {
    await db.query(`INSERT INTO invalid_webhooks (body_sha256, raw_body, reason, signature_algorithm, headers)
      VALUES ('0f3a', convert_to('{"type":"payment.updated","data":{}}', 'UTF8'), 'no event_id in the body', 'sha256', '{}')`);
    await db.query(
      `INSERT INTO merchant_tokens (merchant_id, status, status_reason, expires_at) VALUES ('MREAUTH1', 'needs_reauth', 'refresh refused: invalid_grant', now() + interval '2 days')`,
    );
    await page.goto(`${base}/`);
    await expect(page.getByRole('heading', { name: 'Overview' }).count()).resolves.toBe(1);
    await expect(page.getByRole('row', { name: /^ledger/ }).innerText()).resolves.toMatch(/^ledger\thealthy\nsince /); // its circuit's state
    await shot('overview');
    await page.getByRole('link', { name: 'Sellers', exact: true }).click();
    await expect(page.getByRole('link', { name: 'Re-authorise' }).getAttribute('href')).resolves.toBe(
      '/admin/oauth/square/authorize',
    );
    await shot('sellers');
    // Signed over the URL with a trailing slash: refused, and the page says what would have matched.
    const misSigned = paymentEventBody('console-bad-signature');
    expect((await ingress.post(misSigned, signedHeaders(misSigned, KEY, `${NOTIFICATION_URL}/`))).status).toBe(401);
    await page.getByRole('link', { name: 'Rejected deliveries' }).click();
    await expect(page.getByRole('cell', { name: 'no event_id in the body' }).count()).resolves.toBe(1);
    await expect(page.getByRole('cell', { name: /trailing slash/ }).count()).resolves.toBe(1);
    await shot('rejected-deliveries');
    await expect(page.getByRole('link', { name: 'Queues (Bull Board)' }).getAttribute('href')).resolves.toBe(
      '/admin/queues',
    );

    // Keyboard: the skip link comes first, then the navigation.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Skip to content');

    await onPhone('/events/dl-story', 'event-phone');
  }, 60_000);

  it('every page is served under the strict policy: no inline script or style is needed', async () => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    for (const path of [
      '/',
      '/destinations',
      '/destinations/ledger/pause',
      '/events',
      '/events/dl-story',
      '/events/dl-story/replay',
      '/dead-letters',
      '/sellers',
      '/signature-failures',
      '/events?type=payment.*',
    ]) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("style-src 'self'");
    }
    expect(violations).toEqual([]);
  }, 60_000);

  it('pages through events, newest first, 50 at a time, keeping the filters', async () => {
    for (let i = 0; i < 51; i++) {
      await storeInboxEvent(db, `page-${String(i).padStart(2, '0')}`, {
        type: 'page.test',
        status: 'processed',
        receivedAt: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
      });
    }
    await page.goto(`${base}/events?type=page.*`);
    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(50);
    await expect(rows.first().innerText()).resolves.toMatch(/^page-50\t/);
    await page.getByRole('link', { name: 'Older events →' }).click();
    expect(new URL(page.url()).searchParams.get('type')).toBe('page.*');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().innerText()).resolves.toMatch(/^page-00\t/);
    await expect(page.getByRole('link', { name: 'Older events →' }).count()).resolves.toBe(0);
  }, 60_000);

  it('answers bad input with a page that says what is wrong, never a stack trace', async () => {
    const bad = await page.goto(`${base}/events?receivedFrom=yesterday&status=dead_lettered`);
    expect(bad?.status()).toBe(400);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('receivedFrom must be an ISO 8601 date');
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('dead_lettered'); // the form keeps what was typed
    const missing = await page.goto(`${base}/events/no-such-event`);
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole('alert').innerText()).resolves.toBe('No event no-such-event.');
    const byId = await page.goto(`${base}/events?eventId=dl-story`);
    expect(page.url()).toBe(`${base}/events/dl-story`); // an event id opens its page
    expect(byId?.status()).toBe(200);
  }, 60_000);
});

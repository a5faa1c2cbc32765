import { randomBytes } from 'node:crypto';
import { FakeSquareServer, SAMPLE_PAYMENTS, TOKEN_STATUS } from '@app/testing';
import { ADMIN_MAIN, basicAuthHeader } from './support/admin.js';
import { runNode } from './support/cli.js';
import { ingressConfig, startIngress, type TestIngress } from './support/ingress.js';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';
import { eventually } from './support/worker.js';

const KEY = 'whsk_test_key';
const APPLICATION = { clientId: 'sq0idp-fake-application', clientSecret: 'sq0csp-fake-secret' };
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const MERCHANTS_CLI = 'dist/apps/cli/src/merchants.main.js';
const DAY_MS = 24 * 3600 * 1000;

// Platform apps: every seller's events on one subscription, each seller's objects read with that
// seller's own OAuth token. The fake Square API serves an object only with its merchant's token.
describe('many sellers: per-merchant OAuth tokens', () => {
  let db: TestDatabase;
  let prefix: string;
  let fake: FakeSquareServer;
  let ingress: TestIngress;
  let worker: AppProcess;
  let admin: AppProcess;
  let env: Record<string, string>;
  const tokens: Record<string, string> = {};
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('merchants');
    prefix = uniqueName('q');
    fake = new FakeSquareServer({ application: APPLICATION });
    for (const m of ['MA', 'MB', 'MC', 'MD', 'MF']) {
      tokens[m] = fake.sellers.grant(m);
      fake.put('payment', { ...SAMPLE_PAYMENTS[0]!, id: `pay_${m}` }, m);
    }
    await fake.listen();
    ingress = await startIngress(ingressConfig(db.url, { signatureKeys: [KEY] }));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SQUARE_BASE_URL: fake.url,
      TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
      SQUARE_APPLICATION_ID: APPLICATION.clientId,
      SQUARE_APPLICATION_SECRET: APPLICATION.clientSecret,
      LOG_LEVEL: 'warn',
    };
    // No SQUARE_ACCESS_TOKEN: a merchant without a stored token has none.
    worker = await spawnApp(
      'worker',
      { ...env, JOB_BACKOFF_MS: '50', SQUARE_TOKEN_REFRESH_INTERVAL_MS: '500' },
      'WORKER_PORT',
    );
    admin = await spawnApp(
      ADMIN_MAIN,
      {
        ...env,
        ADMIN_HOST: '127.0.0.1',
        ADMIN_USERNAME: 'ops',
        ADMIN_PASSWORD: 'pw',
        SQUARE_OAUTH_REDIRECT_URL: 'https://admin.example.com/admin/oauth/square/callback',
      },
      'ADMIN_PORT',
    );
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await admin?.stop('SIGKILL');
    await ingress?.close();
    await fake?.close();
    await deleteQueuePrefix(prefix);
    await db?.drop();
  });

  const merchants = (...args: string[]) => runNode(MERCHANTS_CLI, args, env);
  const send = async (
    merchantId: string,
    body = paymentEventBody(`${merchantId}-${++n}`, `pay_${merchantId}`, 3, merchantId),
  ) => {
    const res = await ingress.post(body, signedHeaders(body, KEY));
    expect(res.status).toBe(200);
    return String(res.body.eventId);
  };
  const settled = (eventId: string) =>
    eventually(
      async () => {
        const [row] = await db.query<{
          status: string;
          outcome: string | null;
          attempts: number;
          dead_letter_reason: string | null;
          last_error: string | null;
        }>('SELECT status, outcome, attempts, dead_letter_reason, last_error FROM webhook_events WHERE event_id = $1', [
          eventId,
        ]);
        return row && row.status !== 'received' ? row : undefined;
      },
      15_000,
      `event ${eventId} to settle`,
    );
  const stored = async (merchantId: string) =>
    (await db.query<Record<string, unknown>>('SELECT * FROM merchant_tokens WHERE merchant_id = $1', [merchantId]))[0];

  it("two sellers with their own tokens: each one's events are read with its own token", async () => {
    expect(await merchants('add', 'MA', '--access-token', tokens.MA!)).toMatchObject({ code: 0, stdout: 'added MA\n' });
    expect((await merchants('add', 'MB', '--access-token', tokens.MB!, '--scopes', 'PAYMENTS_READ')).code).toBe(0);
    expect(await settled(await send('MA'))).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(await settled(await send('MB'))).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(fake.tokensUsedFor('pay_MA')).toEqual([tokens.MA]);
    expect(fake.tokensUsedFor('pay_MB')).toEqual([tokens.MB]);
  });

  it('never holds a token in clear, and never prints one', async () => {
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM merchant_tokens');
    const dump = JSON.stringify(rows);
    for (const token of Object.values(tokens)) expect(dump).not.toContain(token);
    expect(String((await stored('MA'))!.access_token)).toMatch(/^v1\.[0-9a-f]{12}\./);
    const list = await merchants('list');
    expect(list.stdout).toMatch(/^MA\tactive\t-\tno\t-\t-\t$/m);
    expect(list.stdout).toMatch(/^MB\tactive\t.*PAYMENTS_READ/m);
    for (const token of Object.values(tokens)) expect(list.stdout + list.stderr + worker.output()).not.toContain(token);
  });

  it('a seller without a token: dead-lettered at once with the reason, processed after `merchants add`', async () => {
    const eventId = await send('MC');
    const dead = await settled(eventId);
    expect(dead).toMatchObject({ status: 'dead_lettered', dead_letter_reason: 'merchant_not_authorized', attempts: 1 });
    expect(dead.last_error).toContain('npm run merchants -- add MC --access-token');
    expect(fake.tokensUsedFor('pay_MC')).toEqual([]);

    expect(await merchants('add', 'MC', '--access-token', tokens.MC!)).toMatchObject({
      code: 0,
      stdout: 'added MC; 1 waiting event(s) replayed\n',
    });
    await eventually(
      async () => (await settled(eventId)).status === 'processed' || undefined,
      15_000,
      'the replayed event to be processed',
    );
    expect(fake.tokensUsedFor('pay_MC')).toEqual([tokens.MC]);
  });

  it('a token Square refuses (401): the seller is marked needs_reauth and its event dead-lettered, not retried', async () => {
    fake.sellers.revoke(tokens.MA!);
    const eventId = await send('MA');
    expect(await settled(eventId)).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'merchant_needs_reauth',
      attempts: 1,
    });
    expect(await stored('MA')).toMatchObject({ status: 'needs_reauth', status_reason: expect.stringContaining('401') });
    // Authorized again: the waiting event goes through with the new token.
    tokens.MA = fake.sellers.grant('MA');
    expect(await merchants('add', 'MA', '--access-token', tokens.MA)).toMatchObject({
      code: 0,
      stdout: 'added MA; 1 waiting event(s) replayed\n',
    });
    await eventually(
      async () => (await settled(eventId)).status === 'processed' || undefined,
      15_000,
      'the replayed event to be processed',
    );
    expect(fake.tokensUsedFor('pay_MA').at(-1)).toBe(tokens.MA);
  });

  const revocation = (merchantId: string, eventId: string) =>
    Buffer.from(
      JSON.stringify({
        merchant_id: merchantId,
        type: 'oauth.authorization.revoked',
        event_id: eventId,
        created_at: new Date().toISOString(),
        data: {
          type: 'revocation',
          id: `revocation-${merchantId}`,
          object: { revocation: { revoked_at: new Date().toISOString(), revoker_type: 'MERCHANT' } },
        },
      }),
    );

  it('oauth.authorization.revoked that Square does not confirm (the token still works): ignored, counted, the tokens stay', async () => {
    const sealed = (await stored('MB'))!.access_token;
    expect(await settled(await send('MB', revocation('MB', 'forged-revoked-MB')))).toMatchObject({
      status: 'ignored',
      outcome: expect.stringMatching(/^unconfirmed: Square still accepts merchant MB's token/),
    });
    expect(await stored('MB')).toMatchObject({ status: 'active', access_token: sealed });
    expect(fake.requestCount(TOKEN_STATUS)).toBeGreaterThanOrEqual(1);
    expect(worker.output()).toContain('revocation not confirmed by Square');
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(
      /square_events_processed_total\{event_type="oauth.authorization.revoked",outcome="unconfirmed"\} 1\b/,
    );
    // The seller's events still go through with its token.
    expect(await settled(await send('MB'))).toMatchObject({ status: 'processed' });
    expect(fake.tokensUsedFor('pay_MB').at(-1)).toBe(tokens.MB);
  });

  it('oauth.authorization.revoked that Square confirms (the token is refused): the seller is marked revoked and its tokens deleted', async () => {
    fake.sellers.revoke(tokens.MB!);
    expect(await settled(await send('MB', revocation('MB', 'revoked-MB')))).toMatchObject({
      status: 'processed',
      outcome: 'applied',
    });
    expect(await stored('MB')).toMatchObject({
      status: 'revoked',
      access_token: null,
      refresh_token: null,
      status_reason: expect.stringContaining('revoked-MB'),
    });
    expect(await settled(await send('MB'))).toMatchObject({
      status: 'dead_lettered',
      dead_letter_reason: 'merchant_revoked',
      attempts: 1,
    });
  });

  it('a revocation whose check fails for a while (Square 503) is retried, then confirmed', async () => {
    fake.sellers.revoke(tokens.MC!);
    fake.fail({ id: TOKEN_STATUS, status: 503, times: 2 });
    expect(await settled(await send('MC', revocation('MC', 'revoked-MC')))).toMatchObject({
      status: 'processed',
      outcome: 'applied',
    });
    expect(await stored('MC')).toMatchObject({ status: 'revoked', access_token: null });
  });

  it('refreshes a token ahead of its expiry; a refresh Square refuses marks the seller needs_reauth', async () => {
    const before = fake.sellers.grants.refresh_token;
    const expiresAt = new Date(Date.now() + 10 * DAY_MS).toISOString();
    expect(
      (
        await merchants(
          'add',
          'MD',
          '--access-token',
          tokens.MD!,
          '--refresh-token',
          fake.sellers.refreshTokenFor('MD'),
          '--expires-at',
          expiresAt,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await merchants(
          'add',
          'MF',
          '--access-token',
          tokens.MF!,
          '--refresh-token',
          'a-refresh-token-square-does-not-know',
          '--expires-at',
          expiresAt,
        )
      ).code,
    ).toBe(0);
    const refreshed = await eventually(
      async () => {
        const row = await stored('MD');
        return row?.refreshed_at ? row : undefined;
      },
      15_000,
      'MD to be refreshed',
    );
    expect((refreshed.expires_at as Date).getTime()).toBeGreaterThan(Date.now() + 29 * DAY_MS);
    expect(fake.sellers.grants.refresh_token).toBe(before + 1);
    // The old token is gone at Square: the next event can only go through with the new one.
    fake.sellers.revoke(tokens.MD!);
    expect(await settled(await send('MD'))).toMatchObject({ status: 'processed', outcome: 'applied' });
    expect(fake.tokensUsedFor('pay_MD').at(-1)).not.toBe(tokens.MD);

    expect(
      await eventually(
        async () => ((await stored('MF'))?.status === 'needs_reauth' ? stored('MF') : undefined),
        15_000,
        'MF to need reauthorization',
      ),
    ).toMatchObject({ refresh_failures: 1, last_refresh_error: expect.stringContaining('401') });
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(/square_token_refreshes_total\{outcome="refreshed"\} [1-9]/);
    expect(metrics).toMatch(/square_token_refreshes_total\{outcome="failed"\} [1-9]/);
  });

  describe('the OAuth code flow on the admin app', () => {
    const AUTH = { authorization: basicAuthHeader('ops', 'pw') };
    const adminUrl = (path: string) => `http://127.0.0.1:${admin.port}${path}`;
    const authorize = async () => {
      const res = await fetch(adminUrl('/admin/oauth/square/authorize'), { headers: AUTH, redirect: 'manual' });
      expect(res.status).toBe(302);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(
        /^square_oauth_state=[\w-]{43}; Path=\/admin\/oauth\/square; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
      );
      return { consent: new URL(res.headers.get('location')!), cookie: cookie.split(';')[0]! };
    };
    /** The seller approves on Square's page, which sends the browser back with a code. */
    const approve = async (consent: URL, merchantId: string) => {
      fake.sellers.authorizeAs = merchantId;
      const res = await fetch(consent, { redirect: 'manual' });
      const back = new URL(res.headers.get('location')!);
      expect(back.origin + back.pathname).toBe('https://admin.example.com/admin/oauth/square/callback');
      return back.searchParams;
    };
    const callback = (params: URLSearchParams, cookie?: string) =>
      fetch(adminUrl(`/admin/oauth/square/callback?${params.toString()}`), {
        headers: { ...AUTH, ...(cookie ? { cookie } : {}) },
      });

    it('connects a seller: consent, code exchanged, tokens stored sealed', async () => {
      const { consent, cookie } = await authorize();
      expect(consent.origin + consent.pathname).toBe(`${fake.url}/oauth2/authorize`);
      expect(consent.searchParams.get('client_id')).toBe(APPLICATION.clientId);
      expect(consent.searchParams.get('scope')).toContain('PAYMENTS_READ');
      expect(consent.searchParams.get('state')).toBe(cookie.split('=')[1]);
      const res = await callback(await approve(consent, 'ME'), cookie);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ merchantId: 'ME', result: 'connected', replayedEvents: 0 });
      expect(await stored('ME')).toMatchObject({
        status: 'active',
        access_token: expect.stringMatching(/^v1\./),
        refresh_token: expect.stringMatching(/^v1\./),
      });
      expect(fake.sellers.grants.authorization_code).toBe(1);
    });

    it("refuses a callback whose state is not this browser's, or without one", async () => {
      const { consent, cookie } = await authorize();
      const params = await approve(consent, 'MX');
      const forged = new URLSearchParams(params);
      forged.set('state', 'a-state-an-attacker-chose');
      for (const res of [
        await callback(forged, cookie),
        await callback(params),
        await callback(params, 'square_oauth_state=other'),
      ]) {
        expect(res.status).toBe(400);
        expect(((await res.json()) as { message: string }).message).toContain('the state does not match');
      }
      expect(await stored('MX')).toBeUndefined();
      expect(fake.sellers.grants.authorization_code).toBe(1); // the code was never exchanged
    });
  });

  it('rotates the encryption key without losing a token', async () => {
    const next = randomBytes(32).toString('base64');
    const rotated = await runNode(MERCHANTS_CLI, ['rotate-key'], {
      ...env,
      TOKEN_ENCRYPTION_KEY: next,
      TOKEN_ENCRYPTION_OLD_KEYS: ENCRYPTION_KEY,
    });
    // The two revoked (MB, MC) hold no token: nothing of theirs to reseal.
    expect(rotated).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^\d+ merchant\(s\) resealed with the current TOKEN_ENCRYPTION_KEY, 2 already were\n$/,
      ),
    });
    // With the new key alone every token opens: a second rotation has nothing to do.
    const again = await runNode(MERCHANTS_CLI, ['rotate-key'], { ...env, TOKEN_ENCRYPTION_KEY: next });
    expect(again.stdout).toMatch(
      /^0 merchant\(s\) resealed with the current TOKEN_ENCRYPTION_KEY, \d+ already were\n$/,
    );
    // The old key alone no longer opens them.
    const stale = await runNode(MERCHANTS_CLI, ['rotate-key'], env);
    expect(stale).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_OLD_KEYS'),
    });
  });
});

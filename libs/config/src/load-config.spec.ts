import { readFileSync } from 'node:fs';
import { APP_SECTIONS, ConfigError, loadAppConfig, loadSquareCliConfig } from './load-config.js';
import { DEV_SIGNATURE_KEY, SECTIONS } from './sections.js';
import { VARIABLES } from './variables.js';

const loadIngressConfig = (env: Record<string, string>) => loadAppConfig('ingress', env);

const minimal = {
  SQUARE_WEBHOOK_SIGNATURE_KEYS: 'key-one',
  SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square',
};

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIngressConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadIngressConfig(minimal);
    expect(config.database.url).toBe('postgresql://postgres@127.0.0.1:5432/square_webhooks');
    expect(config.ingress.port).toBe(3000);
    expect(config.webhook).toEqual({
      signatureKeys: ['key-one'],
      notificationUrl: 'https://hooks.example.com/webhooks/square',
      allowLegacySha1: false,
    });
    expect(config).not.toHaveProperty('redis'); // the ingress has no Redis
  });

  it('splits rotated keys and keeps the notification URL exactly as given', () => {
    const config = loadIngressConfig({
      ...minimal,
      SQUARE_WEBHOOK_SIGNATURE_KEYS: ' new-key , old-key ,',
      SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square/',
      SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1: 'true',
    });
    expect(config.webhook.signatureKeys).toEqual(['new-key', 'old-key']);
    expect(config.webhook.notificationUrl).toBe('https://hooks.example.com/webhooks/square/');
    expect(config.webhook.allowLegacySha1).toBe(true);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf(() =>
      loadIngressConfig({
        INGRESS_PORT: '70000',
        SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1: 'maybe',
        DATABASE_POOL_SIZE: 'ten',
        DATABASE_URL: 'http://localhost',
      }),
    );
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'SQUARE_WEBHOOK_SIGNATURE_KEYS',
        'SQUARE_WEBHOOK_NOTIFICATION_URL',
        'INGRESS_PORT',
        'SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1',
        'DATABASE_POOL_SIZE',
        'DATABASE_URL',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('never prints the value of a secret', () => {
    let message = '';
    try {
      loadAppConfig('worker', {
        ...minimal,
        SQUARE_ACCESS_TOKEN: 't',
        DATABASE_URL: 'mysql://admin:hunter2@db/x',
        REDIS_URL: 'tcp://:s3cret@r',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('REDIS_URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('s3cret');
  });
});

describe('the development signature key', () => {
  const dev = (url: string) => ({
    SQUARE_WEBHOOK_SIGNATURE_KEYS: DEV_SIGNATURE_KEY,
    SQUARE_WEBHOOK_NOTIFICATION_URL: url,
  });

  it('is accepted with a notification URL on this machine (what npm start runs without a .env)', () => {
    for (const url of [
      'http://localhost:3000/webhooks/square',
      'http://127.0.0.1:3000/webhooks/square',
      'http://127.8.0.1/x',
      'http://[::1]:3000/x',
      'https://localhost/x',
    ]) {
      expect(loadIngressConfig(dev(url)).webhook.signatureKeys).toEqual([DEV_SIGNATURE_KEY]);
    }
  });

  it('is refused with any other notification URL, alone or beside a real key, naming the variable and why', () => {
    for (const env of [
      dev('https://hooks.example.com/webhooks/square'),
      { ...dev('http://10.0.0.5/x'), SQUARE_WEBHOOK_SIGNATURE_KEYS: `whsk_real, ${DEV_SIGNATURE_KEY}` },
    ]) {
      const problems = problemsOf(() => loadIngressConfig(env));
      expect(problems).toEqual([
        expect.stringMatching(
          /^SQUARE_WEBHOOK_SIGNATURE_KEYS holds the development key .* only with a notification URL on this machine/,
        ),
      ]);
      expect(problems[0]).not.toContain('\n');
    }
  });

  it('is not what .env.example ships', () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(example).toMatch(/^SQUARE_WEBHOOK_SIGNATURE_KEYS=$/m);
    expect(example).not.toMatch(new RegExp(`^[A-Z_]+=.*${DEV_SIGNATURE_KEY}`, 'm'));
  });
});

describe('loadAppConfig', () => {
  it('the migrator needs no webhook settings', () => {
    expect(loadAppConfig('migrate', {})).toEqual({
      database: {
        url: 'postgresql://postgres@127.0.0.1:5432/square_webhooks',
        poolSize: 10,
        pooler: 'none',
        directUrl: undefined,
      },
      migrate: { migrationsDir: 'prisma/migrations' },
    });
  });

  it('counts an empty value as unset, and converts what it reads (MiB to bytes, booleans, enums)', () => {
    const config = loadIngressConfig({
      ...minimal,
      INGRESS_PORT: '  ',
      INGRESS_MAX_INFLIGHT_BODY_MIB: '2',
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: '',
    });
    expect(config.ingress).toEqual({ port: 3000, maxInFlightBodyBytes: 2 * 1024 * 1024, requestTimeoutMs: 10_000 });
    expect(config.log).toEqual({ level: 'debug', format: 'json' });
  });

  it('every variable belongs to a section, and every section of an app exists', () => {
    const used = new Set(Object.values(SECTIONS).flatMap((s) => Object.values(s.fields)));
    expect(Object.keys(VARIABLES).filter((v) => !used.has(v as never))).toEqual([]);
    for (const sections of Object.values(APP_SECTIONS))
      for (const name of sections) expect(SECTIONS).toHaveProperty(name);
  });
});

describe('the admin configuration', () => {
  const loadAdminConfig = (env: Record<string, string>) => loadAppConfig('admin', env);
  it('requires credentials unless auth is explicitly disabled', () => {
    expect(() => loadAdminConfig({})).toThrow(/ADMIN_USERNAME is required[\s\S]*ADMIN_PASSWORD is required/);
    expect(loadAdminConfig({ ADMIN_AUTH_DISABLED: 'true' }).admin).toMatchObject({ authDisabled: true, port: 3002 });
    expect(loadAdminConfig({ ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'pw' }).admin).toMatchObject({
      username: 'ops',
      password: 'pw',
      authDisabled: false,
    });
  });

  it('listens on 127.0.0.1 unless ADMIN_HOST says otherwise, and without credentials on loopback only', () => {
    expect(loadAdminConfig({ ADMIN_AUTH_DISABLED: 'true' }).admin.host).toBe('127.0.0.1');
    expect(loadAdminConfig({ ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'pw', ADMIN_HOST: '0.0.0.0' }).admin.host).toBe(
      '0.0.0.0',
    );
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(loadAdminConfig({ ADMIN_AUTH_DISABLED: 'true', ADMIN_HOST: host }).admin.authDisabled).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'admin.internal', '128.0.0.1', '127.0.0.1.example.com']) {
      expect(problemsOf(() => loadAdminConfig({ ADMIN_AUTH_DISABLED: 'true', ADMIN_HOST: host }))).toEqual([
        `ADMIN_AUTH_DISABLED is refused with ADMIN_HOST=${host}: without credentials the admin app may listen on a loopback address only (127.0.0.1, ::1, localhost)`,
      ]);
    }
  });

  it('wants a password of 16 characters or more when NODE_ENV=production, without echoing a shorter one', () => {
    const env = { ADMIN_USERNAME: 'ops', NODE_ENV: 'production' };
    expect(problemsOf(() => loadAdminConfig({ ...env, ADMIN_PASSWORD: 'fifteen-chars!!' }))).toEqual([
      'ADMIN_PASSWORD must be at least 16 characters when NODE_ENV=production (e.g. `openssl rand -base64 24`)',
    ]);
    expect(loadAdminConfig({ ...env, ADMIN_PASSWORD: 'sixteen-chars!!!' }).admin.password).toBe('sixteen-chars!!!');
    expect(loadAdminConfig({ ...env, NODE_ENV: 'development', ADMIN_PASSWORD: 'pw' }).admin.password).toBe('pw');
  });
});

describe('the worker and the token store', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('needs SQUARE_ACCESS_TOKEN, or TOKEN_ENCRYPTION_KEY for per-seller tokens', () => {
    expect(problemsOf(() => loadAppConfig('worker', {}))).toEqual([
      expect.stringMatching(/^SQUARE_ACCESS_TOKEN is required .* unless TOKEN_ENCRYPTION_KEY is set/),
    ]);
    expect(loadAppConfig('worker', { TOKEN_ENCRYPTION_KEY: key }).merchants.encryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(loadAppConfig('worker', { SQUARE_ACCESS_TOKEN: 't' }).reconcile).toMatchObject({
      intervalMs: 300_000,
      lookbackMs: 86_400_000,
      accessToken: 't',
    });
  });

  it('refuses a key that is not 32 bytes of base64, without echoing it', () => {
    const problems = problemsOf(() =>
      loadAppConfig('worker', {
        SQUARE_ACCESS_TOKEN: 't',
        TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=',
        TOKEN_ENCRYPTION_OLD_KEYS: `${key},nope`,
      }),
    );
    expect(problems).toEqual([
      'TOKEN_ENCRYPTION_KEY must be the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`',
      'TOKEN_ENCRYPTION_OLD_KEYS must be the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`, comma-separated',
    ]);
  });

  it('turns the OAuth flow on only with all it needs, naming what is missing', () => {
    const admin = { ADMIN_AUTH_DISABLED: 'true' };
    expect(loadAppConfig('admin', admin).oauth.applicationId).toBeUndefined();
    expect(
      problemsOf(() => loadAppConfig('admin', { ...admin, SQUARE_APPLICATION_ID: 'sq0idp-x' })).map(
        (p) => p.split(' ')[0],
      ),
    ).toEqual(['SQUARE_APPLICATION_SECRET', 'SQUARE_OAUTH_REDIRECT_URL', 'TOKEN_ENCRYPTION_KEY']);
  });
});

describe('loadSquareCliConfig', () => {
  it('falls back to the development key and URL of npm start, and says so', () => {
    expect(loadSquareCliConfig({})).toMatchObject({
      signatureKeys: ['whsk_local_development_key'],
      notificationUrl: 'http://localhost:3000/webhooks/square',
      defaulted: { signatureKeys: true, notificationUrl: true },
    });
    expect(loadSquareCliConfig({ INGRESS_PORT: '4000' }).notificationUrl).toBe('http://localhost:4000/webhooks/square');
  });

  it('uses the configured keys and URL exactly as given', () => {
    const config = loadSquareCliConfig({
      ...minimal,
      SQUARE_WEBHOOK_SIGNATURE_KEYS: 'new-key, old-key',
      SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/x/',
    });
    expect(config).toMatchObject({
      signatureKeys: ['new-key', 'old-key'],
      notificationUrl: 'https://hooks.example.com/x/',
      defaulted: { signatureKeys: false, notificationUrl: false },
    });
  });

  it('names a malformed URL', () => {
    expect(
      problemsOf(() =>
        loadSquareCliConfig({ SQUARE_WEBHOOK_NOTIFICATION_URL: 'hooks.example.com', DATABASE_URL: 'mysql://x' }),
      ),
    ).toEqual([expect.stringContaining('DATABASE_URL'), expect.stringContaining('SQUARE_WEBHOOK_NOTIFICATION_URL')]);
  });
});

describe('FORWARD_AUTO_PAUSE_AFTER (a duration)', () => {
  const worker = (value?: string) =>
    loadAppConfig('worker', {
      SQUARE_ACCESS_TOKEN: 't',
      ...(value === undefined ? {} : { FORWARD_AUTO_PAUSE_AFTER: value }),
    }).forwarding.autoPauseAfterMs;
  it('reads 3d, 12h, 90s, 500ms or milliseconds; 3 days by default', () => {
    expect(worker()).toBe(3 * 86_400_000);
    expect(worker('12h')).toBe(12 * 3_600_000);
    expect(worker('90s')).toBe(90_000);
    expect(worker('5000')).toBe(5000);
    expect(worker('1500ms')).toBe(1500);
  });
  it('names the variable and what it wants', () => {
    expect(problemsOf(() => worker('three days'))).toEqual([
      expect.stringMatching(/^FORWARD_AUTO_PAUSE_AFTER must be a duration .*like 3d, 12h, 90s.*"three days"/),
    ]);
    expect(problemsOf(() => worker('10ms'))).toHaveLength(1);
  });
});

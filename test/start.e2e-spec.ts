import { runNode } from './support/cli.js';

// npm start (scripts/start.mjs) checks every app's configuration before it starts any process.
describe('npm start', () => {
  it('names every bad variable of every app, and starts nothing', async () => {
    const run = await runNode('scripts/start.mjs', [], {
      SQUARE_ACCESS_TOKEN: 'set-so-that-no-fake-square-starts',
      WORKER_CONCURRENCY: 'many',
      ADMIN_AUTH_DISABLED: 'maybe',
      INGRESS_PORT: '70000',
      DATABASE_URL: 'postgresql://user:pw-secret@127.0.0.1:1/never_migrated',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('start: invalid configuration, nothing started:');
    expect(run.stderr).toMatch(/ingress:\n(\s+- .*\n)*\s+- INGRESS_PORT must be a whole number/);
    expect(run.stderr).toMatch(/worker:\n\s+- WORKER_CONCURRENCY must be a whole number/);
    expect(run.stderr).toMatch(/admin:\n\s+- ADMIN_AUTH_DISABLED must be true or false/);
    expect(run.stdout + run.stderr).not.toContain('pw-secret');
    expect(run.stdout).not.toMatch(/\[(ingress|worker|admin)\]/); // no process was started
  });
});

describe('npm start and the development key', () => {
  const base = {
    SQUARE_ACCESS_TOKEN: 'set-so-that-no-fake-square-starts',
    ADMIN_AUTH_DISABLED: 'true',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/never_migrated',
  };

  it('a public notification URL without a key (a .env copied from .env.example): asks for the key, never takes the development one', async () => {
    const run = await runNode('scripts/start.mjs', [], {
      ...base,
      SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ingress:\n\s+- SQUARE_WEBHOOK_SIGNATURE_KEYS is required \(the subscription's signature key/,
    );
    expect(run.stderr).not.toContain('using the development key');
  });

  it('the development key set with a public notification URL: refused by the configuration check, nothing started', async () => {
    const run = await runNode('scripts/start.mjs', [], {
      ...base,
      SQUARE_WEBHOOK_SIGNATURE_KEYS: 'whsk_local_development_key',
      SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ingress:\n\s+- SQUARE_WEBHOOK_SIGNATURE_KEYS holds the development key whsk_local_development_key/,
    );
    expect(run.stdout).not.toMatch(/\[(ingress|worker|admin)\]/);
  });
});

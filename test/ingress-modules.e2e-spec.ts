import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp } from './support/processes.js';
import { NOTIFICATION_URL, paymentEventBody, signedHeaders } from './support/signing.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const KEY = 'whsk_test_key';

// The ingress has no Redis: libs/queue (names, payload types) is all it may take of the queues;
// bullmq and ioredis are libs/queue-runtime's. Checked on the built app as it runs, after it has
// captured a webhook, from the list of every module the process loaded.
describe('ingress: what it loads', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase('ingress-modules');
    dir = mkdtempSync(join(tmpdir(), 'ingress-modules-'));
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures a webhook without loading bullmq or ioredis, nor the OpenTelemetry SDK while tracing is off', async () => {
    const file = join(dir, 'loaded.txt');
    const app = await spawnApp(
      'ingress',
      {
        DATABASE_URL: db.url,
        SQUARE_WEBHOOK_SIGNATURE_KEYS: KEY,
        SQUARE_WEBHOOK_NOTIFICATION_URL: NOTIFICATION_URL,
        NODE_OPTIONS: '--import ./test/support/loaded-modules.mjs',
        LOADED_MODULES_FILE: file,
      },
      'INGRESS_PORT',
    );
    const body = paymentEventBody('ingress-modules-1');
    const res = await fetch(`http://127.0.0.1:${app.port}/webhooks/square`, {
      method: 'POST',
      body,
      headers: signedHeaders(body, KEY),
    });
    expect(res.status).toBe(200);
    expect((await app.stop('SIGTERM')).code).toBe(0);

    const loaded = readFileSync(file, 'utf8').split('\n');
    // The list is real: the database driver and the app's own libraries are in it.
    expect(loaded.some((m) => m.includes('/node_modules/pg/'))).toBe(true);
    expect(loaded.some((m) => m.includes('/libs/queue/src/'))).toBe(true);
    const redisModules = loaded.filter((m) =>
      /\/node_modules\/(bullmq|ioredis|@nestjs\/bullmq)\/|\/libs\/queue-runtime\//.test(m),
    );
    expect(redisModules).toEqual([]);
    // Tracing is off (no OTEL_* variable): none of OpenTelemetry's SDK is loaded (docs/TRACING.md).
    // The API is, by prom-client (its process CPU metric requires it), not by libs/tracing.
    expect(loaded.filter((m) => /\/node_modules\/@opentelemetry\/(?!api\/)/.test(m))).toEqual([]);
    expect(loaded.some((m) => m.includes('/libs/tracing/src/start-tracing.js'))).toBe(true);
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { freePort, waitForPort } from './support/servers.js';
import { paymentEventBody, signedHeaders } from './support/signing.js';
import { databaseUrl, uniqueName, adminQuery } from './support/test-database.js';
import { eventually } from './support/worker.js';
import { FakeSquareServer, SAMPLE_PAYMENTS } from '@app/testing';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: unknown[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  volumes?: unknown[];
}
interface Compose {
  services: Record<string, Service>;
}

const REQUIRED_ENV = {
  SQUARE_WEBHOOK_SIGNATURE_KEYS: 'whsk_compose_key',
  SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square',
  SQUARE_ACCESS_TOKEN: 'test-token',
  ADMIN_USERNAME: 'ops',
  ADMIN_PASSWORD: 'compose-secret-16+', // the image runs NODE_ENV=production
};
const APPS = ['ingress', 'worker', 'admin'] as const;

/** The compose file resolved: by `docker-compose config` when installed, else by our own reading. */
function resolvedCompose(): { services: Record<string, Service>; validatedBy: string } {
  const cli = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    env: { ...process.env, ...REQUIRED_ENV },
    encoding: 'utf8',
  });
  if (!cli.error) {
    if (cli.status !== 0) throw new Error(`docker-compose config failed:\n${cli.stderr}`);
    return { services: (parse(cli.stdout) as Compose).services, validatedBy: 'docker-compose config' };
  }
  // As Compose interpolates: the variable when set, else the default after `:-` (empty when none).
  const raw = readFileSync('docker-compose.yml', 'utf8').replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) =>
      (REQUIRED_ENV as Record<string, string>)[name] ?? (kind === '-' ? (rest ?? '') : ''),
  );
  return { services: (parse(raw, { merge: true }) as Compose).services, validatedBy: 'yaml' };
}

describe('docker compose', () => {
  const { services } = resolvedCompose();
  const appServices = APPS.map((name) => [name, services[name]!] as const);

  it('validates and defines the whole stack', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', ...APPS]));
  });

  it('configures Redis for BullMQ, with a volume; Postgres has a volume', () => {
    const command = services.redis!.command!.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(services.redis!.volumes).toHaveLength(1);
    expect(services.postgres!.volumes).toHaveLength(1);
  });

  it('health checks every long-running service; apps wait for healthy stores and a finished migration', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue; // a one-shot: its exit code is its health
      expect({ name, healthcheck: Boolean(service.healthcheck?.test.length) }).toEqual({ name, healthcheck: true });
    }
    for (const [name, service] of appServices) {
      expect(service.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
      // The ingress needs Postgres only, so it takes webhooks while Redis is down.
      if (name === 'ingress') expect(service.depends_on).not.toHaveProperty('redis');
      else expect(service.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    }
    expect(services.migrate!.command).toEqual(['migrate']);
  });

  it('lets the worker scale: no container name, no host port', () => {
    expect(services.worker!.container_name).toBeUndefined();
    expect(services.worker!.ports ?? []).toEqual([]);
  });

  it('publishes the admin app on the host loopback only; inside its container it listens on every interface', () => {
    const admin = services.admin!;
    expect(admin.environment?.ADMIN_HOST).toBe('0.0.0.0');
    expect(admin.ports?.length).toBeGreaterThan(0);
    for (const port of admin.ports ?? []) {
      const hostIp = typeof port === 'string' ? port.split(':')[0] : (port as { host_ip?: string }).host_ip;
      expect(hostIp).toBe('127.0.0.1');
    }
  });

  it('runs every app from one image, chosen by the command', () => {
    const images = new Set([...appServices.map(([, s]) => s.image), services.migrate!.image]);
    expect(images.size).toBe(1);
    for (const [name, service] of appServices) expect(service.command).toEqual([name]);
  });

  describe('the same commands the containers run, run directly', () => {
    const dbName = uniqueName('compose');
    const prefix = uniqueName('q');
    const fake = new FakeSquareServer({ accessToken: 'test-token' });
    const running: Array<{ name: string; stop: (signal: NodeJS.Signals) => Promise<number | null>; port: number }> = [];

    beforeAll(async () => {
      fake.put('payment', SAMPLE_PAYMENTS[0]!);
      await fake.listen();
    });

    afterAll(async () => {
      for (const app of running) await app.stop('SIGKILL');
      await fake.close();
      await deleteQueuePrefix(prefix);
      await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    });

    /** The service's environment from the compose file, pointed at this machine's stores. */
    const envOf = (service: Service, port: number, containerPort: string): Record<string, string> => {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(service.environment ?? {}))
        env[key] = value === null ? '' : String(value);
      env.DATABASE_URL = databaseUrl(dbName);
      env.REDIS_URL = REDIS_URL;
      env.QUEUE_PREFIX = prefix;
      env.SQUARE_BASE_URL = fake.url;
      env.LOG_LEVEL = 'warn';
      if (containerPort !== '')
        for (const key of Object.keys(env)) if (env[key] === containerPort) env[key] = String(port);
      return env;
    };

    const healthy = async (service: Service, port: number, containerPort: string) => {
      const [, command, ...args] = service.healthcheck!.test; // ["CMD", "node", "scripts/healthcheck.mjs", "3000", …]
      const localArgs = args.map((a) => (a === containerPort ? String(port) : a));
      return eventually(
        async () => spawnSync(command!, localArgs, { encoding: 'utf8' }).status === 0,
        20_000,
        `${command} ${localArgs.join(' ')}`,
      );
    };

    it('migrate (one-shot) creates and migrates the database, then exits 0', async () => {
      const result = spawnSync('sh', ['scripts/docker-entrypoint.sh', ...services.migrate!.command!], {
        env: { ...process.env, ENV_FILE: '/nonexistent', ...envOf(services.migrate!, 0, '') },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`created database ${dbName}`);
      expect(result.status).toBe(0);
    });

    it.each(APPS)('%s starts with its container command and passes its container health check', async (name) => {
      const service = services[name]!;
      const containerPort = service.healthcheck!.test[3]!;
      const port = await freePort();
      const child = spawn('sh', ['scripts/docker-entrypoint.sh', ...service.command!], {
        env: { ...process.env, ENV_FILE: '/nonexistent', ...envOf(service, port, containerPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      running.push({
        name,
        port,
        stop: async (signal) => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
      await waitForPort(port, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${output}`);
      });
      await healthy(service, port, containerPort);
    });

    it('a signed webhook goes through the ingress and is processed by the worker, as in the stack', async () => {
      const ingress = running.find((r) => r.name === 'ingress')!;
      const body = paymentEventBody('compose-1');
      const res = await fetch(`http://127.0.0.1:${ingress.port}/webhooks/square`, {
        method: 'POST',
        body,
        headers: signedHeaders(
          body,
          REQUIRED_ENV.SQUARE_WEBHOOK_SIGNATURE_KEYS,
          REQUIRED_ENV.SQUARE_WEBHOOK_NOTIFICATION_URL,
        ),
      });
      expect(res.status).toBe(200);
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: databaseUrl(dbName) });
      await client.connect();
      try {
        await eventually(
          async () =>
            (await client.query(`SELECT 1 FROM webhook_events WHERE event_id = 'compose-1' AND status = 'processed'`))
              .rowCount === 1,
          15_000,
          'processing',
        );
      } finally {
        await client.end();
      }
    });

    it.each(APPS)('%s stops cleanly on SIGTERM (exit 0), as on docker compose stop', async (name) => {
      const app = running.find((r) => r.name === name)!;
      expect(await app.stop('SIGTERM')).toBe(0);
    });
  });
});

import {
  AdminConfig,
  DatabaseConfig,
  IngressConfig,
  LogConfig,
  QueueConfig,
  RedisConfig,
  WebhookConfig,
  readAdmin,
  readDatabase,
  readIngress,
  readLog,
  readQueue,
  readRedis,
  readSquareApi,
  readWebhook,
  readWorker,
  SquareApiConfig,
  WorkerConfig,
} from './app-config.js';
import { EnvReader } from './env-reader.js';

// The only place that reads process.env. Each process loads the sections it needs, so the
// migrator does not demand webhook keys and the ingress does not demand a Square token.

type Env = Readonly<Record<string, string | undefined>>;

/** No Redis: the ingress only writes to Postgres (the worker's relay enqueues the jobs). */
export interface IngressAppConfig {
  database: DatabaseConfig;
  webhook: WebhookConfig;
  ingress: IngressConfig;
  log: LogConfig;
}

export interface WorkerAppConfig {
  database: DatabaseConfig;
  redis: RedisConfig;
  queue: QueueConfig;
  squareApi: SquareApiConfig;
  worker: WorkerConfig;
  log: LogConfig;
}

export interface AdminAppConfig {
  database: DatabaseConfig;
  redis: RedisConfig;
  queue: QueueConfig;
  admin: AdminConfig;
  log: LogConfig;
}

/** What the events CLI (replay) needs: the inbox and the queue. */
export interface EventsCliConfig {
  database: DatabaseConfig;
  redis: RedisConfig;
  queue: QueueConfig;
  log: LogConfig;
}

/** The signature key `npm start` (scripts/start.mjs) runs the ingress with when none is set. */
export const DEV_SIGNATURE_KEY = 'whsk_local_development_key';

/**
 * What the square CLI (send, verify, replay) signs with and reads from. Nothing is required: like
 * `npm start`, it falls back to the local development key and URL, and says so (`defaulted`).
 */
export interface SquareCliConfig {
  database: DatabaseConfig;
  /** SQUARE_WEBHOOK_SIGNATURE_KEYS, else [DEV_SIGNATURE_KEY]. */
  signatureKeys: readonly string[];
  /** SQUARE_WEBHOOK_NOTIFICATION_URL, else http://localhost:<INGRESS_PORT>/webhooks/square. */
  notificationUrl: string;
  defaulted: { signatureKeys: boolean; notificationUrl: boolean };
  /** INIT_CWD: where `npm run` was started (npm runs scripts from the project root); for relative paths. */
  invokedFrom: string | undefined;
}

export interface MigrateConfig {
  database: DatabaseConfig;
  /** MIGRATIONS_DIR, default prisma/migrations (relative to the working directory). */
  migrationsDir: string;
}

export function loadIngressConfig(env: Env = process.env): IngressAppConfig {
  const r = new EnvReader(env);
  const config: IngressAppConfig = {
    database: readDatabase(r),
    webhook: readWebhook(r),
    ingress: readIngress(r),
    log: readLog(r),
  };
  r.finish();
  return config;
}

export function loadWorkerConfig(env: Env = process.env): WorkerAppConfig {
  const r = new EnvReader(env);
  const config: WorkerAppConfig = {
    database: readDatabase(r),
    redis: readRedis(r),
    queue: readQueue(r),
    squareApi: readSquareApi(r),
    worker: readWorker(r),
    log: readLog(r),
  };
  r.finish();
  return config;
}

export function loadAdminConfig(env: Env = process.env): AdminAppConfig {
  const r = new EnvReader(env);
  const config: AdminAppConfig = {
    database: readDatabase(r),
    redis: readRedis(r),
    queue: readQueue(r),
    admin: readAdmin(r),
    log: readLog(r),
  };
  r.finish();
  return config;
}

export function loadEventsCliConfig(env: Env = process.env): EventsCliConfig {
  const r = new EnvReader(env);
  const config: EventsCliConfig = { database: readDatabase(r), redis: readRedis(r), queue: readQueue(r), log: readLog(r) };
  r.finish();
  return config;
}

export function loadSquareCliConfig(env: Env = process.env): SquareCliConfig {
  const r = new EnvReader(env);
  const keys = r.optionalList('SQUARE_WEBHOOK_SIGNATURE_KEYS');
  const url = r.optional('SQUARE_WEBHOOK_NOTIFICATION_URL');
  // The same fallback URL as scripts/start.mjs, so that `send` reaches a pipeline started by `npm start`.
  const devUrl = `http://localhost:${r.int('INGRESS_PORT', 3000, 1, 65535)}/webhooks/square`;
  const config: SquareCliConfig = {
    database: readDatabase(r),
    signatureKeys: keys.length > 0 ? keys : [DEV_SIGNATURE_KEY],
    notificationUrl: url === undefined ? devUrl : r.url('SQUARE_WEBHOOK_NOTIFICATION_URL', ['https:', 'http:']),
    defaulted: { signatureKeys: keys.length === 0, notificationUrl: url === undefined },
    invokedFrom: r.optional('INIT_CWD'),
  };
  r.finish();
  return config;
}

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const r = new EnvReader(env);
  const config = { database: readDatabase(r), migrationsDir: r.optional('MIGRATIONS_DIR') ?? 'prisma/migrations' };
  r.finish();
  return config;
}

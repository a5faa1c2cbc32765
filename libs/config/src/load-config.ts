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

export interface IngressAppConfig {
  database: DatabaseConfig;
  redis: RedisConfig;
  queue: QueueConfig;
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

export interface MigrateConfig {
  database: DatabaseConfig;
  /** MIGRATIONS_DIR, default prisma/migrations (relative to the working directory). */
  migrationsDir: string;
}

export function loadIngressConfig(env: Env = process.env): IngressAppConfig {
  const r = new EnvReader(env);
  const config: IngressAppConfig = {
    database: readDatabase(r),
    redis: readRedis(r),
    queue: readQueue(r),
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

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const r = new EnvReader(env);
  const config = { database: readDatabase(r), migrationsDir: r.optional('MIGRATIONS_DIR') ?? 'prisma/migrations' };
  r.finish();
  return config;
}

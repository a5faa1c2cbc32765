import {
  DatabaseConfig,
  IngressConfig,
  LogConfig,
  QueueConfig,
  RedisConfig,
  WebhookConfig,
  readDatabase,
  readIngress,
  readLog,
  readQueue,
  readRedis,
  readWebhook,
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

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const r = new EnvReader(env);
  const config = { database: readDatabase(r), migrationsDir: r.optional('MIGRATIONS_DIR') ?? 'prisma/migrations' };
  r.finish();
  return config;
}

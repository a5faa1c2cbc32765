export {
  AdminConfig,
  DatabaseConfig,
  IngressConfig,
  LOG_LEVELS,
  LogConfig,
  QueueConfig,
  RedisConfig,
  SquareApiConfig,
  WebhookConfig,
  WorkerConfig,
} from './app-config.js';
export type { LogLevel } from './app-config.js';
export { ConfigModule } from './config.module.js';
export { loadDotEnv } from './dotenv.js';
export { ConfigError } from './env-reader.js';
export {
  DEV_SIGNATURE_KEY,
  loadAdminConfig,
  loadEventsCliConfig,
  loadIngressConfig,
  loadMigrateConfig,
  loadSquareCliConfig,
  loadWorkerConfig,
} from './load-config.js';
export type { AdminAppConfig, EventsCliConfig, IngressAppConfig, MigrateConfig, SquareCliConfig, WorkerAppConfig } from './load-config.js';

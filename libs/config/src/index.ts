export {
  CONFIG_SECTIONS,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  DatabaseConfig,
  IngressConfig,
  LOG_LEVELS,
  LogConfig,
  QueueConfig,
  RedisConfig,
  WebhookConfig,
} from './app-config.js';
export type { ConfigSections, LogLevel } from './app-config.js';
export { ConfigModule } from './config.module.js';
export { loadDotEnv } from './dotenv.js';
export { ConfigError } from './env-reader.js';
export { loadIngressConfig, loadMigrateConfig } from './load-config.js';
export type { IngressAppConfig, MigrateConfig } from './load-config.js';

export { ConfigModule } from './config.module.js';
export { loadDotEnv } from './dotenv.js';
export { APP_SECTIONS, ConfigError, loadAppConfig, loadConfig, loadSquareCliConfig } from './load-config.js';
export type {
  AdminAppConfig,
  AppConfig,
  AppName,
  EventsCliConfig,
  MerchantsCliConfig,
  IngressAppConfig,
  LoadedConfig,
  MigrateConfig,
  SquareCliConfig,
  SquareSettingsCliConfig,
  WorkerAppConfig,
} from './load-config.js';
export {
  AdminConfig,
  DatabaseConfig,
  ForwardingConfig,
  HandlersConfig,
  IngressConfig,
  LogConfig,
  MerchantsConfig,
  OAuthConfig,
  QueueConfig,
  ReconcileConfig,
  RetentionConfig,
  RedisConfig,
  SquareApiConfig,
  SquareSubscriptionConfig,
  TracingConfig,
  WebhookConfig,
  WorkerConfig,
  DEV_SIGNATURE_KEY,
  tracingEnabled,
} from './sections.js';
export type { SectionConfig, SectionName } from './sections.js';
export { DEFAULT_OAUTH_SCOPES, LOG_LEVELS, parseDurationMs } from './variables.js';
export type { HostPort, LogLevel } from './variables.js';
export {
  DESTINATIONS,
  DestinationsSource,
  TEMPORARY_DESTINATION_PREFIX,
  isEventTypeFilter,
  loadDestinations,
  temporaryDestination,
} from './destinations.js';
export { isLoopbackHost } from './loopback.js';
export type { Destination } from './destinations.js';

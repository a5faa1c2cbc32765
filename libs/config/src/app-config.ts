import { EnvReader } from './env-reader.js';

// Each section is a class so that it doubles as its own injection token: a provider asks for
// `DatabaseConfig` and gets the validated values, typed, without @Inject tokens.

export class DatabaseConfig {
  readonly url!: string;
  /** Connections per process (pg pool size). */
  readonly poolSize!: number;
}

export class RedisConfig {
  readonly url!: string;
}

export class QueueConfig {
  /** Redis key prefix of every BullMQ queue; lets several pipelines share one Redis. */
  readonly prefix!: string;
  readonly jobAttempts!: number;
  readonly jobBackoffMs!: number;
}

export class WebhookConfig {
  readonly signatureKeys!: readonly string[];
  /** Exactly as configured in Square's dashboard; signatures are computed over it. */
  readonly notificationUrl!: string;
  readonly allowLegacySha1!: boolean;
}

export class IngressConfig {
  readonly port!: number;
  /**
   * Request bodies held in memory at once, from the first byte read to the answer. Beyond it the
   * ingress answers 503 (Square delivers again) instead of growing until the process runs out of
   * memory under a flood of large deliveries.
   */
  readonly maxInFlightBodyBytes!: number;
  /** How long a request may take to arrive, headers and body; past it Node answers 408 and closes. */
  readonly requestTimeoutMs!: number;
}

export class SquareApiConfig {
  /** Never logged. */
  readonly accessToken!: string;
  readonly environment!: 'sandbox' | 'production';
  /** Overrides the environment's URL, e.g. a local fake Square API. */
  readonly baseUrl!: string | undefined;
  readonly timeoutMs!: number;
}

export class WorkerConfig {
  readonly port!: number;
  readonly concurrency!: number;
  /** BullMQ lock duration: how soon a job of a crashed worker is picked up again. */
  readonly jobLockMs!: number;
  /** Re-enqueue events that stayed 'received' longer than this (lost jobs). */
  readonly sweepAfterMs!: number;
  readonly sweepIntervalMs!: number;
  /** On SIGTERM, how long active jobs may take to finish before the worker stops anyway. */
  readonly shutdownTimeoutMs!: number;
}

export class AdminConfig {
  readonly port!: number;
  /** Bind address; 127.0.0.1 keeps the admin app off the network. */
  readonly host!: string;
  /** Basic-auth credentials for everything on the admin port; undefined only when auth is disabled. */
  readonly username!: string | undefined;
  /** Never logged. */
  readonly password!: string | undefined;
  readonly authDisabled!: boolean;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class LogConfig {
  readonly level!: LogLevel;
  readonly format!: 'json' | 'pretty';
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/square_webhooks';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function readDatabase(r: EnvReader): DatabaseConfig {
  return {
    url: r.url('DATABASE_URL', ['postgresql:', 'postgres:'], DEFAULT_DATABASE_URL, { secret: true }),
    poolSize: r.int('DATABASE_POOL_SIZE', 10, 1, 200),
  };
}

export function readRedis(r: EnvReader): RedisConfig {
  return { url: r.url('REDIS_URL', ['redis:', 'rediss:'], DEFAULT_REDIS_URL, { secret: true }) };
}

export function readQueue(r: EnvReader): QueueConfig {
  const prefix = r.optional('QUEUE_PREFIX') ?? 'bull';
  return {
    prefix,
    jobAttempts: r.int('JOB_ATTEMPTS', 10, 1, 1000),
    jobBackoffMs: r.int('JOB_BACKOFF_MS', 1000, 1, 3_600_000),
  };
}

export function readWebhook(r: EnvReader): WebhookConfig {
  return {
    signatureKeys: r.list(
      'SQUARE_WEBHOOK_SIGNATURE_KEYS',
      "the subscription's signature key from Square's Developer Console; several, comma-separated, while rotating",
    ),
    notificationUrl: r.url('SQUARE_WEBHOOK_NOTIFICATION_URL', ['https:', 'http:']),
    allowLegacySha1: r.bool('SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1', false),
  };
}

export function readIngress(r: EnvReader): IngressConfig {
  return {
    port: r.int('INGRESS_PORT', 3000, 1, 65535),
    // At least one maximum-size (1 MiB) body must always fit.
    maxInFlightBodyBytes: r.int('INGRESS_MAX_INFLIGHT_BODY_MIB', 8, 1, 1024) * 1024 * 1024,
    // Square gives up on a delivery after 10 s; a body that takes longer is no delivery of Square's.
    requestTimeoutMs: r.int('INGRESS_REQUEST_TIMEOUT_MS', 10_000, 1000, 300_000),
  };
}

export function readSquareApi(r: EnvReader): SquareApiConfig {
  return {
    accessToken: r.required('SQUARE_ACCESS_TOKEN', "an access token of the Square application, to retrieve payments and refunds"),
    environment: r.oneOf('SQUARE_ENVIRONMENT', ['sandbox', 'production'] as const, 'sandbox'),
    baseUrl: r.optional('SQUARE_BASE_URL') === undefined ? undefined : r.url('SQUARE_BASE_URL', ['https:', 'http:']),
    timeoutMs: r.int('SQUARE_TIMEOUT_MS', 10_000, 100, 120_000),
  };
}

export function readWorker(r: EnvReader): WorkerConfig {
  return {
    port: r.int('WORKER_PORT', 3001, 1, 65535),
    concurrency: r.int('WORKER_CONCURRENCY', 10, 1, 1000),
    jobLockMs: r.int('JOB_LOCK_MS', 30_000, 1000, 600_000),
    sweepAfterMs: r.int('SWEEP_AFTER_MS', 60_000, 1000, 86_400_000),
    sweepIntervalMs: r.int('SWEEP_INTERVAL_MS', 15_000, 100, 3_600_000),
    shutdownTimeoutMs: r.int('WORKER_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  };
}

export function readAdmin(r: EnvReader): AdminConfig {
  const authDisabled = r.bool('ADMIN_AUTH_DISABLED', false);
  const hint = 'credentials for Bull Board and the admin API; or ADMIN_AUTH_DISABLED=true for local use only';
  return {
    port: r.int('ADMIN_PORT', 3002, 1, 65535),
    host: r.optional('ADMIN_HOST') ?? '0.0.0.0',
    username: authDisabled ? r.optional('ADMIN_USERNAME') : r.required('ADMIN_USERNAME', hint),
    password: authDisabled ? r.optional('ADMIN_PASSWORD') : r.required('ADMIN_PASSWORD', hint),
    authDisabled,
  };
}

export function readLog(r: EnvReader): LogConfig {
  return {
    level: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'log'),
    format: r.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
  };
}

/** Every section by the key it has in a loaded config; the class is its injection token. */
export const CONFIG_SECTIONS = {
  database: DatabaseConfig,
  redis: RedisConfig,
  queue: QueueConfig,
  webhook: WebhookConfig,
  ingress: IngressConfig,
  squareApi: SquareApiConfig,
  worker: WorkerConfig,
  admin: AdminConfig,
  log: LogConfig,
} as const;

export type ConfigSections = {
  [K in keyof typeof CONFIG_SECTIONS]?: InstanceType<(typeof CONFIG_SECTIONS)[K]>;
};

import { DestinationsSource } from './destinations.js';
import { isLoopbackHost } from './loopback.js';
import { type VariableName, type VariableValue } from './variables.js';

/** The admin password's least length in production: it guards the whole pipeline over Basic auth. */
const MIN_PRODUCTION_PASSWORD = 16;

// Which variables make up which settings. Each section's type is inferred from its variables;
// its class (below) doubles as the injection token, so a provider asks for `DatabaseConfig` and
// gets the validated values, typed, without @Inject tokens.

type Fields = Record<string, VariableName>;

type Env = Readonly<Record<string, string | undefined>>;

export interface SectionSpec<F extends Fields = Fields, R extends keyof F = keyof F, D extends object = object> {
  fields: F;
  /** Fields that must be set (non-empty), with what to put there: `X is required (hint)`. */
  required?: { [K in R]: string };
  /** Rules across fields; `problem` names the variable at fault. */
  check?: (values: SectionValues<F, R>, problem: (variable: VariableName, message: string) => void) => void;
  /** Values that come from what the variables point to (a file), read with the same environment. */
  derive?: (values: SectionValues<F, R>, env: Env) => D;
}

export type SectionValues<F extends Fields, R extends keyof F = never> = {
  readonly [K in keyof F]: K extends R ? NonNullable<VariableValue<F[K]>> : VariableValue<F[K]>;
};

function section<const F extends Fields, R extends keyof F = never, D extends object = object>(
  spec: SectionSpec<F, R, D>,
): SectionSpec<F, R, D> {
  return spec;
}

/**
 * The signature key `npm start` (scripts/start.mjs) and the square CLI use when none is set. It is
 * printed in the README, so anyone can sign with it: the ingress takes it only for a notification
 * URL on this machine (see the webhook section's check).
 */
export const DEV_SIGNATURE_KEY = 'whsk_local_development_key';

export const SECTIONS = {
  database: section({
    fields: {
      url: 'DATABASE_URL',
      poolSize: 'DATABASE_POOL_SIZE',
      pooler: 'DATABASE_POOLER',
      directUrl: 'DATABASE_DIRECT_URL',
    },
  }),
  /**
   * One Redis (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES) or Redis behind Sentinel
   * (REDIS_SENTINELS + REDIS_SENTINEL_NAME); with either of the last two, REDIS_URL gives the
   * credentials and TLS only.
   */
  redis: section({
    fields: {
      url: 'REDIS_URL',
      clusterNodes: 'REDIS_CLUSTER_NODES',
      sentinels: 'REDIS_SENTINELS',
      sentinelName: 'REDIS_SENTINEL_NAME',
      sentinelPassword: 'REDIS_SENTINEL_PASSWORD',
    },
    check: (r, problem) => {
      // A list that failed its own check is undefined here (already reported).
      const cluster = r.clusterNodes?.length ?? 0;
      const sentinels = r.sentinels?.length ?? 0;
      if (cluster > 0 && sentinels > 0) {
        problem(
          'REDIS_CLUSTER_NODES',
          'and REDIS_SENTINELS are both set: a Redis Cluster has no sentinels; set one of them',
        );
      }
      if (sentinels > 0 && r.sentinelName === undefined)
        problem(
          'REDIS_SENTINEL_NAME',
          'is required with REDIS_SENTINELS (the master name the sentinels monitor, e.g. mymaster)',
        );
      if (sentinels === 0 && r.sentinelName !== undefined && r.sentinels !== undefined)
        problem('REDIS_SENTINELS', 'is required with REDIS_SENTINEL_NAME (the sentinels, host:port, comma-separated)');
    },
  }),
  /** clusterNodes: set in cluster mode, where each queue's prefix is hash-tagged (libs/queue queuePrefix). */
  queue: section({
    fields: {
      prefix: 'QUEUE_PREFIX',
      jobAttempts: 'JOB_ATTEMPTS',
      jobBackoffMs: 'JOB_BACKOFF_MS',
      clusterNodes: 'REDIS_CLUSTER_NODES',
    },
  }),
  webhook: section({
    fields: {
      signatureKeys: 'SQUARE_WEBHOOK_SIGNATURE_KEYS',
      notificationUrl: 'SQUARE_WEBHOOK_NOTIFICATION_URL',
      allowLegacySha1: 'SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1',
    },
    required: {
      signatureKeys:
        "the subscription's signature key from Square's Developer Console; several, comma-separated, while rotating",
      notificationUrl: 'a https:// or http:// URL',
    },
    check: (w, problem) => {
      // An unset or malformed URL is reported as such.
      const host =
        w.signatureKeys.includes(DEV_SIGNATURE_KEY) && URL.canParse(w.notificationUrl)
          ? new URL(w.notificationUrl).hostname
          : undefined;
      if (host === undefined || isLoopbackHost(host)) return;
      problem(
        'SQUARE_WEBHOOK_SIGNATURE_KEYS',
        `holds the development key ${DEV_SIGNATURE_KEY}, which the README publishes (anyone can sign with it): ` +
          `it is accepted only with a notification URL on this machine (localhost, 127.0.0.0/8, ::1), not on ${host}. ` +
          "Set your subscription's signature key from Square's Developer Console",
      );
    },
  }),
  ingress: section({
    fields: {
      port: 'INGRESS_PORT',
      maxInFlightBodyBytes: 'INGRESS_MAX_INFLIGHT_BODY_MIB',
      requestTimeoutMs: 'INGRESS_REQUEST_TIMEOUT_MS',
    },
  }),
  squareApi: section({
    fields: {
      accessToken: 'SQUARE_ACCESS_TOKEN',
      environment: 'SQUARE_ENVIRONMENT',
      baseUrl: 'SQUARE_BASE_URL',
      timeoutMs: 'SQUARE_TIMEOUT_MS',
      tokenEncryptionKey: 'TOKEN_ENCRYPTION_KEY',
    },
    check: (api, problem) => {
      if (api.accessToken === undefined && api.tokenEncryptionKey === undefined) {
        problem(
          'SQUARE_ACCESS_TOKEN',
          'is required (an access token of the Square application), unless TOKEN_ENCRYPTION_KEY is set and each seller has a stored token (npm run merchants)',
        );
      }
    },
  }),
  /** The token store: its encryption keys, and what refreshing needs (the application's credentials). */
  merchants: section({
    fields: {
      encryptionKey: 'TOKEN_ENCRYPTION_KEY',
      oldEncryptionKeys: 'TOKEN_ENCRYPTION_OLD_KEYS',
      applicationId: 'SQUARE_APPLICATION_ID',
      applicationSecret: 'SQUARE_APPLICATION_SECRET',
      refreshIntervalMs: 'SQUARE_TOKEN_REFRESH_INTERVAL_MS',
    },
  }),
  /**
   * Reconciling the inbox with Square's Events API, with the application's own token (it sees every
   * seller that authorized the application); off without one.
   */
  reconcile: section({
    fields: {
      intervalMs: 'SQUARE_RECONCILE_INTERVAL_MS',
      lookbackMs: 'SQUARE_RECONCILE_LOOKBACK_MS',
      overlapMs: 'SQUARE_RECONCILE_OVERLAP_MS',
      lagMs: 'SQUARE_RECONCILE_LAG_MS',
      accessToken: 'SQUARE_ACCESS_TOKEN',
      environment: 'SQUARE_ENVIRONMENT',
      baseUrl: 'SQUARE_BASE_URL',
      timeoutMs: 'SQUARE_TIMEOUT_MS',
    },
  }),
  /** How long what the pipeline stores is kept (days; 0 keeps it), and how often the worker purges. */
  retention: section({
    fields: {
      eventDays: 'RETENTION_EVENT_DAYS',
      deadLetteredDays: 'RETENTION_DEAD_LETTERED_DAYS',
      deliveryDays: 'RETENTION_DELIVERY_DAYS',
      invalidDays: 'RETENTION_INVALID_DAYS',
      intervalMs: 'RETENTION_INTERVAL_MS',
    },
  }),
  /** Square's OAuth code flow on the admin app: off unless the application's id, secret and redirect URL are all set. */
  oauth: section({
    fields: {
      applicationId: 'SQUARE_APPLICATION_ID',
      applicationSecret: 'SQUARE_APPLICATION_SECRET',
      redirectUrl: 'SQUARE_OAUTH_REDIRECT_URL',
      scopes: 'SQUARE_OAUTH_SCOPES',
      encryptionKey: 'TOKEN_ENCRYPTION_KEY',
      environment: 'SQUARE_ENVIRONMENT',
      baseUrl: 'SQUARE_BASE_URL',
      timeoutMs: 'SQUARE_TIMEOUT_MS',
    },
    check: (o, problem) => {
      const set = [o.applicationId, o.applicationSecret, o.redirectUrl].filter((v) => v !== undefined).length;
      if (set === 0) return;
      if (o.applicationId === undefined)
        problem(
          'SQUARE_APPLICATION_ID',
          'is required for the OAuth flow (with SQUARE_APPLICATION_SECRET and SQUARE_OAUTH_REDIRECT_URL)',
        );
      if (o.applicationSecret === undefined)
        problem(
          'SQUARE_APPLICATION_SECRET',
          'is required for the OAuth flow (with SQUARE_APPLICATION_ID and SQUARE_OAUTH_REDIRECT_URL)',
        );
      if (o.redirectUrl === undefined)
        problem(
          'SQUARE_OAUTH_REDIRECT_URL',
          'is required for the OAuth flow: the Redirect URL registered in Square, ending in /admin/oauth/square/callback',
        );
      if (o.encryptionKey === undefined)
        problem(
          'TOKEN_ENCRYPTION_KEY',
          'is required for the OAuth flow: the tokens it obtains are stored encrypted with it',
        );
    },
  }),
  worker: section({
    fields: {
      port: 'WORKER_PORT',
      concurrency: 'WORKER_CONCURRENCY',
      eventBatchMax: 'SQUARE_EVENT_BATCH_MAX',
      eventBatchSlowMs: 'SQUARE_EVENT_BATCH_SLOW_MS',
      jobLockMs: 'JOB_LOCK_MS',
      sweepAfterMs: 'SWEEP_AFTER_MS',
      sweepIntervalMs: 'SWEEP_INTERVAL_MS',
      shutdownTimeoutMs: 'WORKER_SHUTDOWN_TIMEOUT_MS',
    },
  }),
  /**
   * Square's webhook subscription for our notification URL, as `square subscriptions` manages it and
   * the worker checks it (and sends the canary), with the application's own token; off without one.
   */
  squareSubscription: section({
    fields: {
      accessToken: 'SQUARE_ACCESS_TOKEN',
      environment: 'SQUARE_ENVIRONMENT',
      baseUrl: 'SQUARE_BASE_URL',
      timeoutMs: 'SQUARE_TIMEOUT_MS',
      notificationUrl: 'SQUARE_WEBHOOK_NOTIFICATION_URL',
      apiVersion: 'SQUARE_API_VERSION',
      canaryIntervalMs: 'SQUARE_CANARY_INTERVAL_MS',
    },
  }),
  /** The team's handlers (module paths) and how long one event's transaction may take with them. */
  handlers: section({
    fields: {
      modules: 'SQUARE_EVENT_HANDLERS',
      timeoutMs: 'SQUARE_EVENT_HANDLER_TIMEOUT_MS',
      mirrorEventTypes: 'SQUARE_MIRROR_EVENT_TYPES',
    },
  }),
  /** Forwarding: the destinations file, the retry schedule of a delivery, a failing destination's probes and auto-pause. */
  forwarding: section({
    fields: {
      destinationsFile: 'FORWARD_DESTINATIONS_FILE',
      backoffMs: 'FORWARD_BACKOFF_MS',
      maxBackoffMs: 'FORWARD_MAX_BACKOFF_MS',
      retryForMs: 'FORWARD_RETRY_FOR_MS',
      probeMaxMs: 'FORWARD_PROBE_MAX_MS',
      autoPauseAfterMs: 'FORWARD_AUTO_PAUSE_AFTER',
    },
    check: (f, problem) => {
      if (f.maxBackoffMs < f.backoffMs)
        problem('FORWARD_MAX_BACKOFF_MS', `must not be below FORWARD_BACKOFF_MS (${f.backoffMs})`);
    },
    // The file's ${NAME} secrets resolve from this environment: no app reads process.env for them.
    derive: (f, env) => ({ destinations: new DestinationsSource(f.destinationsFile, env) }),
  }),
  admin: section({
    fields: {
      port: 'ADMIN_PORT',
      host: 'ADMIN_HOST',
      username: 'ADMIN_USERNAME',
      password: 'ADMIN_PASSWORD',
      authDisabled: 'ADMIN_AUTH_DISABLED',
      nodeEnv: 'NODE_ENV',
    },
    check: (admin, problem) => {
      if (admin.authDisabled) {
        if (!isLoopbackHost(admin.host)) {
          problem(
            'ADMIN_AUTH_DISABLED',
            `is refused with ADMIN_HOST=${admin.host}: without credentials the admin app may listen on a loopback address only (127.0.0.1, ::1, localhost)`,
          );
        }
        return;
      }
      const hint = 'credentials for Bull Board and the admin API; or ADMIN_AUTH_DISABLED=true for local use only';
      if (admin.username === undefined) problem('ADMIN_USERNAME', `is required (${hint})`);
      if (admin.password === undefined) problem('ADMIN_PASSWORD', `is required (${hint})`);
      else if (admin.nodeEnv === 'production' && [...admin.password].length < MIN_PRODUCTION_PASSWORD) {
        problem(
          'ADMIN_PASSWORD',
          `must be at least ${MIN_PRODUCTION_PASSWORD} characters when NODE_ENV=production (e.g. \`openssl rand -base64 24\`)`,
        );
      }
    },
  }),
  log: section({ fields: { level: 'LOG_LEVEL', format: 'LOG_FORMAT' } }),
  /** OpenTelemetry traces (docs/TRACING.md); tracingEnabled() says whether they are on. */
  tracing: section({
    fields: {
      sdkDisabled: 'OTEL_SDK_DISABLED',
      exporter: 'OTEL_TRACES_EXPORTER',
      endpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      tracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      protocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
      tracesProtocol: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      serviceName: 'OTEL_SERVICE_NAME',
      sampler: 'OTEL_TRACES_SAMPLER',
      samplerArg: 'OTEL_TRACES_SAMPLER_ARG',
      scheduleDelayMs: 'OTEL_BSP_SCHEDULE_DELAY',
      maxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
      maxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      exportTimeoutMs: 'OTEL_BSP_EXPORT_TIMEOUT',
    },
    check: (t, problem) => {
      if (t.maxExportBatchSize > t.maxQueueSize)
        problem('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', `must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${t.maxQueueSize})`);
    },
  }),
  migrate: section({ fields: { migrationsDir: 'MIGRATIONS_DIR', handlerMigrationsDir: 'HANDLER_MIGRATIONS_DIR' } }),
  /** The square CLI: nothing is required; it falls back to npm start's development key and URL. */
  squareCli: section({
    fields: {
      signatureKeys: 'SQUARE_WEBHOOK_SIGNATURE_KEYS',
      notificationUrl: 'SQUARE_WEBHOOK_NOTIFICATION_URL',
      ingressPort: 'INGRESS_PORT',
      invokedFrom: 'INIT_CWD',
      /** `trigger` seeds the objects the worker will retrieve there, when it is the fake Square API. */
      squareBaseUrl: 'SQUARE_BASE_URL',
    },
  }),
  fakeSquare: section({
    fields: {
      port: 'FAKE_SQUARE_PORT',
      host: 'FAKE_SQUARE_HOST',
      latencyMs: 'FAKE_SQUARE_LATENCY_MS',
      synthesize: 'FAKE_SQUARE_SYNTHESIZE',
    },
  }),
} as const;

export type SectionName = keyof typeof SECTIONS;
export type SectionConfig<K extends SectionName> =
  (typeof SECTIONS)[K] extends SectionSpec<infer F, infer R, infer D> ? SectionValues<F, R> & Readonly<D> : never;

// The classes are the injection tokens; each merges with the interface of its section's values.
export interface DatabaseConfig extends SectionConfig<'database'> {}
export class DatabaseConfig {}
export interface RedisConfig extends SectionConfig<'redis'> {}
export class RedisConfig {}
export interface QueueConfig extends SectionConfig<'queue'> {}
export class QueueConfig {}
/** notificationUrl: exactly as configured in Square's dashboard; signatures are computed over it. */
export interface WebhookConfig extends SectionConfig<'webhook'> {}
export class WebhookConfig {}
export interface IngressConfig extends SectionConfig<'ingress'> {}
export class IngressConfig {}
/** accessToken is never logged; baseUrl overrides the environment's URL (e.g. the fake Square API). */
export interface SquareApiConfig extends SectionConfig<'squareApi'> {}
export class SquareApiConfig {}
/** The keys and the application secret are never logged. */
export interface MerchantsConfig extends SectionConfig<'merchants'> {}
export class MerchantsConfig {}
/** accessToken (the application's) is never logged. */
export interface ReconcileConfig extends SectionConfig<'reconcile'> {}
export class ReconcileConfig {}
export interface RetentionConfig extends SectionConfig<'retention'> {}
export class RetentionConfig {}
export interface OAuthConfig extends SectionConfig<'oauth'> {}
export class OAuthConfig {}
export interface WorkerConfig extends SectionConfig<'worker'> {}
export class WorkerConfig {}
export interface HandlersConfig extends SectionConfig<'handlers'> {}
export class HandlersConfig {}
/** accessToken (the application's) is never logged. */
export interface SquareSubscriptionConfig extends SectionConfig<'squareSubscription'> {}
export class SquareSubscriptionConfig {}
export interface ForwardingConfig extends SectionConfig<'forwarding'> {}
export class ForwardingConfig {}
/** username and password are undefined only when authDisabled; the password is never logged. */
export interface AdminConfig extends SectionConfig<'admin'> {}
export class AdminConfig {}
export interface LogConfig extends SectionConfig<'log'> {}
export class LogConfig {}
export interface TracingConfig extends SectionConfig<'tracing'> {}
export class TracingConfig {}

/**
 * Whether traces are exported: off unless OTEL_TRACES_EXPORTER or an OTLP endpoint is set (and
 * neither OTEL_SDK_DISABLED nor OTEL_TRACES_EXPORTER=none says otherwise), so that an unconfigured
 * pipeline never loads the SDK.
 */
export function tracingEnabled(t: TracingConfig): boolean {
  if (t.sdkDisabled || t.exporter === 'none') return false;
  return t.exporter !== undefined || t.endpoint !== undefined || t.tracesEndpoint !== undefined;
}

/** The injection token of every section that apps inject. */
export const SECTION_TOKENS = {
  database: DatabaseConfig,
  redis: RedisConfig,
  queue: QueueConfig,
  webhook: WebhookConfig,
  ingress: IngressConfig,
  squareApi: SquareApiConfig,
  merchants: MerchantsConfig,
  oauth: OAuthConfig,
  reconcile: ReconcileConfig,
  retention: RetentionConfig,
  worker: WorkerConfig,
  handlers: HandlersConfig,
  squareSubscription: SquareSubscriptionConfig,
  forwarding: ForwardingConfig,
  admin: AdminConfig,
  log: LogConfig,
} as const satisfies Partial<Record<SectionName, abstract new () => object>>;

import { z } from 'zod';

// Every environment variable of the pipeline, declared once: how it is read, its default, its
// bounds; each has one row in docs/CONFIGURATION.md (a spec checks it). Sections (sections.ts) say which variables make up which settings; the types of both
// are inferred from here. An empty value counts as unset. Values of secrets never appear in a
// message (the `secret` URLs and the tokens and keys, which no check ever echoes).

const unset = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const raw = () => z.preprocess(unset, z.string().optional());

type Issue = { addIssue(issue: { code: 'custom'; message: string }): void };
const fail = (ctx: Issue, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

export const text = () => raw();
export const textOr = (fallback: string) => raw().transform((value) => value ?? fallback);

/** A whole number in [min, max]. */
export const int = (fallback: number, min: number, max: number) =>
  raw().transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max)
      return fail(ctx, `must be a whole number from ${min} to ${max} (got "${value}")`);
    return n;
  });

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration like 3d, 12h, 90m, 30s or 500ms; a bare number is milliseconds. NaN when unreadable. */
export function parseDurationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  return match ? Number(match[1]) * UNITS[(match[2] ?? 'ms') as keyof typeof UNITS] : NaN;
}

/** A duration (parseDurationMs) in [min, max] milliseconds. */
export const duration = (fallbackMs: number, minMs: number, maxMs: number) =>
  raw().transform((value, ctx) => {
    if (value === undefined) return fallbackMs;
    const ms = parseDurationMs(value);
    if (!(ms >= minMs && ms <= maxMs))
      return fail(
        ctx,
        `must be a duration from ${minMs} ms to ${maxMs / 1000} s, like 3d, 12h, 90s or milliseconds (got "${value}")`,
      );
    return ms;
  });

export const bool = (fallback: boolean) =>
  raw().transform((value, ctx) => {
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    return fail(ctx, `must be true or false (got "${value}")`);
  });

export const oneOf = <const T extends readonly string[]>(values: T, fallback: T[number]) =>
  raw().transform((value, ctx): T[number] => {
    if (value === undefined) return fallback;
    const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
    return match ?? fail(ctx, `must be one of ${values.join(', ')} (got "${value}")`);
  });

/** One of `values`, or undefined when unset (for a variable whose absence means something). */
export const oneOfOrUnset = <const T extends readonly string[]>(values: T) =>
  raw().transform((value, ctx): T[number] | undefined => {
    if (value === undefined) return undefined;
    const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
    return match ?? fail(ctx, `must be one of ${values.join(', ')} (got "${value}")`);
  });

/** A decimal number in [min, max]. */
export const decimal = (fallback: number, min: number, max: number) =>
  raw().transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || n < min || n > max)
      return fail(ctx, `must be a number from ${min} to ${max} (got "${value}")`);
    return n;
  });

/** A comma-separated list; empty when unset. */
export const list = () =>
  raw().transform((value) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export interface HostPort {
  host: string;
  port: number;
}

/** A comma-separated list of host:port (an IPv6 host in brackets: [::1]:7000); empty when unset. */
export const hostPorts = () =>
  list().transform((values, ctx) => {
    const parsed: HostPort[] = [];
    for (const value of values) {
      const match = /^(\[[^\]]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(value);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535)
        return fail(ctx, `must be host:port pairs, comma-separated, like 10.0.0.1:6379,10.0.0.2:6379 (got "${value}")`);
      parsed.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
    }
    return parsed;
  });

/** A value that must be set: `hint` says what to put there. */
export const required = (hint: string) => raw().transform((value, ctx) => value ?? fail(ctx, `is required (${hint})`));

/**
 * A URL whose scheme is one of `protocols`, returned untouched (never normalized: a signature is
 * computed over its characters); undefined when unset. `secret`: never echoed in a message.
 */
export const url = (protocols: readonly string[], opts: { secret?: boolean } = {}) =>
  raw().transform((value, ctx) => {
    if (value === undefined || protocols.includes(protocolOf(value) ?? '')) return value;
    return fail(
      ctx,
      `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL${opts.secret ? '' : ` (got "${value}")`}`,
    );
  });

/** The same, with a default for unset. */
export const urlOr = (protocols: readonly string[], fallback: string, opts: { secret?: boolean } = {}) =>
  url(protocols, opts).transform((value) => value ?? fallback);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_HINT = 'must be the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`';

/** An AES-256 key: the base64 of exactly 32 bytes; never echoed. Undefined when unset. */
export const key32 = () =>
  raw().transform((value, ctx) => {
    if (value === undefined) return undefined;
    const key = Buffer.from(value, 'base64');
    return BASE64.test(value) && key.length === 32 ? key : fail(ctx, KEY_HINT);
  });

/** Several such keys, comma-separated; empty when unset. */
export const key32List = () =>
  list().transform((values, ctx) => {
    const keys = values.map((v) => Buffer.from(v, 'base64'));
    return values.every((v, i) => BASE64.test(v) && keys[i]!.length === 32)
      ? keys
      : fail(ctx, `${KEY_HINT}, comma-separated`);
  });

function protocolOf(value: string): string | undefined {
  try {
    return new URL(value).protocol;
  } catch {
    return undefined;
  }
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/square_webhooks';
/** The Square-Version the official SDK (square 46) sends, which the event catalog was written for. */
export const DEFAULT_SQUARE_API_VERSION = '2026-09-16';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const MIB = 1024 * 1024;

/** Read access to what the mirror retrieves (Square's OAuth permission names). */
export const DEFAULT_OAUTH_SCOPES = [
  'MERCHANT_PROFILE_READ',
  'PAYMENTS_READ',
  'ORDERS_READ',
  'CUSTOMERS_READ',
  'INVOICES_READ',
  'ITEMS_READ',
  'INVENTORY_READ',
  'APPOINTMENTS_READ',
  'SUBSCRIPTIONS_READ',
  'DISPUTES_READ',
  'GIFTCARDS_READ',
  'LOYALTY_READ',
  'EMPLOYEES_READ',
  'TIMECARDS_READ',
] as const;

export const VARIABLES = {
  DATABASE_URL: urlOr(['postgresql:', 'postgres:'], DEFAULT_DATABASE_URL, { secret: true }),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  // What DATABASE_URL leads to: Postgres itself (or a session pooler), or a transaction pooler
  // (PgBouncer's pool_mode=transaction): then no named prepared statements, no session state.
  DATABASE_POOLER: oneOf(['none', 'transaction'] as const, 'none'),
  // Postgres itself, past the pooler: LISTEN, the periodic tasks' locks and migrations use it.
  DATABASE_DIRECT_URL: url(['postgresql:', 'postgres:'], { secret: true }),
  REDIS_URL: urlOr(['redis:', 'rediss:'], DEFAULT_REDIS_URL, { secret: true }),
  // A Redis Cluster (docs/SCALING.md): some of its nodes; the client finds the rest. REDIS_URL then
  // gives the credentials and TLS (rediss:) only.
  REDIS_CLUSTER_NODES: hostPorts(),
  // Redis behind Sentinel: the sentinels and the name of the master they watch (REDIS_URL as above).
  REDIS_SENTINELS: hostPorts(),
  REDIS_SENTINEL_NAME: text(),
  REDIS_SENTINEL_PASSWORD: text(),
  QUEUE_PREFIX: textOr('bull'),
  JOB_ATTEMPTS: int(10, 1, 1000),
  JOB_BACKOFF_MS: int(1000, 1, 3_600_000),

  SQUARE_WEBHOOK_SIGNATURE_KEYS: list(),
  SQUARE_WEBHOOK_NOTIFICATION_URL: url(['https:', 'http:']),
  SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1: bool(false),

  INGRESS_PORT: int(3000, 1, 65535),
  // At least one maximum-size (1 MiB) body must always fit.
  INGRESS_MAX_INFLIGHT_BODY_MIB: int(8, 1, 1024).transform((mib) => mib * MIB),
  // Square gives up on a delivery after 10 s; a body that takes longer is no delivery of Square's.
  INGRESS_REQUEST_TIMEOUT_MS: int(10_000, 1000, 300_000),

  // One seller's token, or the application's own: used for every merchant without a stored token.
  SQUARE_ACCESS_TOKEN: text(),
  SQUARE_ENVIRONMENT: oneOf(['sandbox', 'production'] as const, 'sandbox'),
  SQUARE_BASE_URL: url(['https:', 'http:']),
  SQUARE_TIMEOUT_MS: int(10_000, 100, 120_000),

  // Many sellers (docs/SELLERS.md).
  TOKEN_ENCRYPTION_KEY: key32(),
  TOKEN_ENCRYPTION_OLD_KEYS: key32List(),
  SQUARE_APPLICATION_ID: text(),
  SQUARE_APPLICATION_SECRET: text(),
  SQUARE_OAUTH_REDIRECT_URL: url(['https:', 'http:']),
  SQUARE_OAUTH_SCOPES: list().transform((scopes) => (scopes.length > 0 ? scopes : [...DEFAULT_OAUTH_SCOPES])),
  SQUARE_TOKEN_REFRESH_INTERVAL_MS: int(3_600_000, 500, 86_400_000),

  // Square's side as code (docs/SQUARE.md, "Point Square at it"): the API version `square subscriptions sync`
  // pins the subscription to (default: the version of the SDK, square 46, the catalog was written
  // for), and how often the worker sends Square's test notification as a canary (0: never).
  SQUARE_API_VERSION: textOr(DEFAULT_SQUARE_API_VERSION).refine(
    (v) => /^\d{4}-\d{2}-\d{2}$/.test(v),
    'must be a Square API version, YYYY-MM-DD (e.g. 2026-09-16)',
  ),
  SQUARE_CANARY_INTERVAL_MS: int(0, 0, 86_400_000),

  // Reconcile with Square's Events API (docs/RECONCILING.md): 0 turns it off.
  SQUARE_RECONCILE_INTERVAL_MS: int(300_000, 0, 86_400_000),
  // Square keeps 28 days of events: the first run never looks further back.
  SQUARE_RECONCILE_LOOKBACK_MS: int(24 * 3_600_000, 60_000, 28 * 86_400_000),
  SQUARE_RECONCILE_OVERLAP_MS: int(600_000, 0, 86_400_000),
  SQUARE_RECONCILE_LAG_MS: int(120_000, 0, 3_600_000),

  // Retention (docs/OPERATING.md): days after which bodies and records are purged; 0 keeps them.
  RETENTION_EVENT_DAYS: int(30, 0, 36_500),
  RETENTION_DEAD_LETTERED_DAYS: int(90, 0, 36_500),
  RETENTION_DELIVERY_DAYS: int(30, 0, 36_500),
  RETENTION_INVALID_DAYS: int(7, 0, 36_500),
  RETENTION_INTERVAL_MS: int(3_600_000, 0, 86_400_000),

  WORKER_PORT: int(3001, 1, 65535),
  WORKER_CONCURRENCY: int(10, 1, 1000),
  /** Events applied in one transaction at most (each in its savepoint); 64 keeps Postgres' subtransaction cache from overflowing. */
  SQUARE_EVENT_BATCH_MAX: int(16, 1, 64),
  /** A batch this old takes no further event, and waiting events start batches beside slow ones. */
  SQUARE_EVENT_BATCH_SLOW_MS: int(100, 1, 3_600_000),
  JOB_LOCK_MS: int(30_000, 1000, 600_000),
  SWEEP_AFTER_MS: int(60_000, 1000, 86_400_000),
  SWEEP_INTERVAL_MS: int(15_000, 100, 3_600_000),
  WORKER_SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),

  /** Event types whose objects the built-in mirror keeps: patterns as for handlers; `none` keeps none. */
  SQUARE_MIRROR_EVENT_TYPES: list().transform((patterns) =>
    patterns.length === 0 ? ['*'] : patterns.includes('none') ? [] : patterns,
  ),
  SQUARE_EVENT_HANDLERS: list(),
  SQUARE_EVENT_HANDLER_TIMEOUT_MS: int(10_000, 100, 600_000),

  FORWARD_DESTINATIONS_FILE: text(),
  FORWARD_BACKOFF_MS: int(1000, 10, 3_600_000),
  FORWARD_MAX_BACKOFF_MS: int(3_600_000, 10, 86_400_000),
  // Square retries us for 24-72 h; a destination gets at least as long.
  FORWARD_RETRY_FOR_MS: int(26 * 3_600_000, 1000, 30 * 86_400_000),
  // A failing destination is probed at most this far apart: once it is back, it is found within this.
  FORWARD_PROBE_MAX_MS: int(30_000, 10, 3_600_000),
  // A destination failing this long is paused (it would fill Redis and Postgres for weeks otherwise).
  FORWARD_AUTO_PAUSE_AFTER: duration(3 * 86_400_000, 1000, 365 * 86_400_000),

  ADMIN_PORT: int(3002, 1, 65535),
  // Loopback unless told otherwise: Basic credentials travel in clear over plain HTTP.
  ADMIN_HOST: textOr('127.0.0.1'),
  ADMIN_USERNAME: text(),
  ADMIN_PASSWORD: text(),
  ADMIN_AUTH_DISABLED: bool(false),

  /** `production` in the Docker image: the admin app then wants a long password. */
  NODE_ENV: text(),

  LOG_LEVEL: oneOf(LOG_LEVELS, 'log'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const, 'json'),

  // OpenTelemetry (docs/TRACING.md): the standard variables the pipeline itself reads. Tracing is on
  // when an exporter or an endpoint is set; the exporter reads its own OTEL_EXPORTER_OTLP_* (headers,
  // timeout), the resource OTEL_RESOURCE_ATTRIBUTES. Defaults are the specification's.
  OTEL_SDK_DISABLED: bool(false),
  OTEL_TRACES_EXPORTER: oneOfOrUnset(['otlp', 'console', 'none'] as const),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['https:', 'http:']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(['https:', 'http:']),
  // Only OTLP/HTTP with JSON is bundled (@opentelemetry/exporter-trace-otlp-http): say so at start
  // rather than send JSON to a port that expects something else.
  OTEL_EXPORTER_OTLP_PROTOCOL: oneOf(['http/json'] as const, 'http/json'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: oneOf(['http/json'] as const, 'http/json'),
  OTEL_SERVICE_NAME: text(),
  OTEL_TRACES_SAMPLER: oneOf(
    [
      'parentbased_always_on',
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ] as const,
    'parentbased_always_on',
  ),
  OTEL_TRACES_SAMPLER_ARG: decimal(1, 0, 1),
  OTEL_BSP_SCHEDULE_DELAY: int(5000, 1, 600_000),
  OTEL_BSP_MAX_QUEUE_SIZE: int(2048, 1, 1_000_000),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: int(512, 1, 1_000_000),
  OTEL_BSP_EXPORT_TIMEOUT: int(30_000, 1, 600_000),

  MIGRATIONS_DIR: textOr('prisma/migrations'),
  /** The team's own SQL migrations (for their handlers' tables), applied after ours, tracked apart. */
  HANDLER_MIGRATIONS_DIR: text(),
  /** Set by npm: where `npm run` was started (npm runs scripts from the project root). */
  INIT_CWD: text(),

  FAKE_SQUARE_PORT: int(3010, 1, 65535),
  FAKE_SQUARE_HOST: textOr('127.0.0.1'),
  FAKE_SQUARE_LATENCY_MS: int(0, 0, 600_000),
  FAKE_SQUARE_SYNTHESIZE: bool(true),
} as const;

export type VariableName = keyof typeof VARIABLES;
export type VariableValue<N extends VariableName> = z.output<(typeof VARIABLES)[N]>;

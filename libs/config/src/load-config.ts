import { ConfigError } from './config-error.js';
import { DEV_SIGNATURE_KEY, SECTIONS, type SectionName, type SectionConfig, type SectionSpec } from './sections.js';
import { VARIABLES, type VariableName } from './variables.js';

// The only place that reads process.env. Each process loads the sections it needs, so the
// migrator does not demand webhook keys and the ingress does not demand a Square token; every
// problem is collected, so that startup fails once with a message naming all bad variables.

type Env = Readonly<Record<string, string | undefined>>;

export { ConfigError };

export type LoadedConfig<K extends SectionName> = { [P in K]: SectionConfig<P> };

export function loadConfig<const K extends SectionName>(names: readonly K[], env: Env = process.env): LoadedConfig<K> {
  const problems: string[] = [];
  const values = new Map<VariableName, unknown>();
  const failed = new Set<VariableName>();
  const problem = (variable: VariableName, message: string) => {
    if (!failed.has(variable)) problems.push(`${variable} ${message}`);
    failed.add(variable);
  };
  const config: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const spec = SECTIONS[name] as SectionSpec;
    const section: Record<string, unknown> = {};
    for (const [field, variable] of Object.entries(spec.fields)) {
      if (!values.has(variable) && !failed.has(variable)) {
        const parsed = VARIABLES[variable].safeParse(env[variable]);
        if (parsed.success) values.set(variable, parsed.data);
        else problem(variable, parsed.error.issues[0]?.message ?? 'is invalid');
      }
      section[field] = values.get(variable);
    }
    for (const [field, hint] of Object.entries(spec.required ?? {})) {
      const value = section[field];
      if (value === undefined || (Array.isArray(value) && value.length === 0))
        problem(spec.fields[field]!, `is required (${hint})`);
    }
    spec.check?.(section as never, problem);
    // What the variables point to (the destinations file), read from this same environment.
    Object.assign(section, spec.derive?.(section as never, env));
    config[name] = section;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as LoadedConfig<K>;
}

/** The sections each process reads. */
export const APP_SECTIONS = {
  /** No Redis: the ingress only writes to Postgres (the worker's relay enqueues the jobs). */
  ingress: ['database', 'webhook', 'ingress', 'log', 'tracing'],
  worker: [
    'database',
    'redis',
    'queue',
    'squareApi',
    'merchants',
    'reconcile',
    'retention',
    'worker',
    'handlers',
    'forwarding',
    'squareSubscription',
    'log',
    'tracing',
  ],
  admin: ['database', 'redis', 'queue', 'admin', 'forwarding', 'merchants', 'oauth', 'log'],
  /** npm run events: the inbox, and the queues for Bull Board's dead-letter listing. */
  eventsCli: ['database', 'redis', 'queue', 'forwarding', 'reconcile', 'retention', 'handlers', 'log'],
  /** npm run merchants: the token store, and the inbox's replays of a merchant's waiting events. */
  merchantsCli: ['database', 'redis', 'queue', 'merchants', 'log'],
  /** npm run square -- subscriptions|events: Square's side, and what the pipeline consumes. */
  squareSettingsCli: ['database', 'squareSubscription', 'handlers', 'forwarding'],
  migrate: ['database', 'migrate'],
  fakeSquare: ['fakeSquare'],
} as const satisfies Record<string, readonly SectionName[]>;

export type AppName = keyof typeof APP_SECTIONS;
export type AppConfig<A extends AppName> = LoadedConfig<(typeof APP_SECTIONS)[A][number]>;
export type IngressAppConfig = AppConfig<'ingress'>;
export type WorkerAppConfig = AppConfig<'worker'>;
export type AdminAppConfig = AppConfig<'admin'>;
export type EventsCliConfig = AppConfig<'eventsCli'>;
export type MerchantsCliConfig = AppConfig<'merchantsCli'>;
export type MigrateConfig = AppConfig<'migrate'>;
export type SquareSettingsCliConfig = AppConfig<'squareSettingsCli'>;

export function loadAppConfig<A extends AppName>(app: A, env: Env = process.env): AppConfig<A> {
  return loadConfig(APP_SECTIONS[app], env);
}

/**
 * What the square CLI (send, verify, replay) signs with and reads from. Nothing is required: like
 * `npm start`, it falls back to the local development key and URL, and says so (`defaulted`).
 */
export interface SquareCliConfig {
  database: SectionConfig<'database'>;
  /** SQUARE_WEBHOOK_SIGNATURE_KEYS, else [DEV_SIGNATURE_KEY]. */
  signatureKeys: readonly string[];
  /** SQUARE_WEBHOOK_NOTIFICATION_URL, else http://localhost:<INGRESS_PORT>/webhooks/square. */
  notificationUrl: string;
  defaulted: { signatureKeys: boolean; notificationUrl: boolean };
  /** INIT_CWD: where `npm run` was started (npm runs scripts from the project root); for relative paths. */
  invokedFrom: string | undefined;
  /** SQUARE_BASE_URL: where `trigger` seeds the objects the worker will retrieve (the fake Square API). */
  squareBaseUrl: string | undefined;
}

export function loadSquareCliConfig(env: Env = process.env): SquareCliConfig {
  const { database, squareCli } = loadConfig(['database', 'squareCli'], env);
  return {
    database,
    signatureKeys: squareCli.signatureKeys.length > 0 ? squareCli.signatureKeys : [DEV_SIGNATURE_KEY],
    // The same fallback URL as scripts/start.mjs, so that `send` reaches a pipeline started by `npm start`.
    notificationUrl: squareCli.notificationUrl ?? `http://localhost:${squareCli.ingressPort}/webhooks/square`,
    defaulted: {
      signatureKeys: squareCli.signatureKeys.length === 0,
      notificationUrl: squareCli.notificationUrl === undefined,
    },
    invokedFrom: squareCli.invokedFrom,
    squareBaseUrl: squareCli.squareBaseUrl,
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error.js';

// Where the pipeline forwards verified events: FORWARD_DESTINATIONS_FILE, a YAML file whose
// top-level `destinations:` is a list. A value like ${ENV_NAME} is read from the environment the
// configuration was loaded from (the forwarding section's `destinations`), so secrets stay out of
// the file. Every problem is named at once; a secret never appears in a message.

type Env = Readonly<Record<string, string | undefined>>;

/** Nest token of the loaded destinations (the apps load them before they are built). */
export const DESTINATIONS = Symbol('DESTINATIONS');

export interface Destination {
  /** Unique; names its queue (forward-<name>), its metrics and its deliveries. */
  name: string;
  url: string;
  /** Standard Webhooks secret, whsec_ + base64. Never logged. */
  secret: string;
  /** Exact types, prefix.* or *. */
  eventTypes: readonly string[];
  /** Only these sellers' events, when set. */
  merchantIds?: readonly string[];
  /** One request's time limit. */
  timeoutMs: number;
  /** Requests in flight at once to this destination. */
  maxConcurrency: number;
  /** At most this many requests a second, when set. */
  maxPerSecond?: number;
}

const EVENT_TYPE = /^(\*|[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*(\.\*)?)$/;

/** An event type filter as destinations take it: an exact type, prefix.* or *. */
export function isEventTypeFilter(value: string): boolean {
  return EVENT_TYPE.test(value);
}

/** How the names of `square listen --forward-to`'s temporary destinations start; reserved for them. */
export const TEMPORARY_DESTINATION_PREFIX = 'listen-';

/**
 * A temporary destination (`square listen --forward-to`, kept in Postgres, not in the file) as the
 * worker forwards to it: a developer's local server, so a short timeout and a few requests at once.
 */
export function temporaryDestination(d: {
  name: string;
  url: string;
  secret: string;
  eventTypes: readonly string[];
}): Destination {
  return {
    name: d.name,
    url: d.url,
    secret: d.secret,
    eventTypes: [...d.eventTypes],
    timeoutMs: 10_000,
    maxConcurrency: 4,
  };
}

const DESTINATION = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 lowercase letters, digits, - or _ (it names a queue)')
      .refine(
        (v) => !v.startsWith(TEMPORARY_DESTINATION_PREFIX),
        `must not start with ${TEMPORARY_DESTINATION_PREFIX} (kept for square listen --forward-to)`,
      ),
    url: z.string().refine((v) => /^https?:$/.test(protocolOf(v)), 'must be an http:// or https:// URL'),
    // whsec_ + base64 of at least 24 random bytes (Standard Webhooks).
    secret: z
      .string()
      .refine(
        (v) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v.slice(6), 'base64').length >= 24,
        'must be whsec_ followed by the base64 of at least 24 random bytes (Standard Webhooks); e.g. ${ORDERS_WEBHOOK_SECRET}',
      ),
    eventTypes: z
      .array(z.string().regex(EVENT_TYPE, 'must be an event type, a prefix like payment.* or *'))
      .min(1, 'must list at least one event type'),
    merchantIds: z.array(z.string().min(1)).min(1).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    maxConcurrency: z.number().int().min(1).max(200).default(10),
    maxPerSecond: z.number().positive().max(100_000).optional(),
  })
  .strict();

const FILE = z.object({ destinations: z.array(z.unknown()) }).strict();

/**
 * The forwarding section's view of FORWARD_DESTINATIONS_FILE: read when asked (at start, and again
 * on each reload of the worker), its ${NAME} values resolved from the environment the configuration
 * was loaded from. That environment is kept private: the object prints and serialises as its path.
 */
export class DestinationsSource {
  readonly #env: Env;

  constructor(
    readonly file: string | undefined,
    env: Env,
  ) {
    this.#env = env;
  }

  /** Every destination, secrets resolved (the worker); a ConfigError names every problem. */
  load(): Destination[] {
    return loadDestinations(this.file, this.#env);
  }

  /** Without the secrets (the admin app and the CLIs need names and filters only). */
  loadWithoutSecrets(): Destination[] {
    return loadDestinations(this.file, this.#env, { secrets: false });
  }

  toJSON(): { file: string | undefined } {
    return { file: this.file };
  }
}

/**
 * The destinations of FORWARD_DESTINATIONS_FILE (none when it is unset). `secrets: false` reads
 * names only (the admin app lists the queues without needing the secrets).
 */
export function loadDestinations(file: string | undefined, env: Env, opts: { secrets?: boolean } = {}): Destination[] {
  if (!file) return [];
  const where = `FORWARD_DESTINATIONS_FILE (${file})`;
  if (!existsSync(file)) throw new ConfigError([`${where} does not exist`]);
  let document: unknown;
  try {
    document = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${where} is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const top = FILE.safeParse(document);
  if (!top.success) throw new ConfigError([`${where} must have a top-level "destinations:" list, and nothing else`]);
  const problems: string[] = [];
  const destinations: Destination[] = [];
  top.data.destinations.forEach((raw, i) => {
    const at = `${where}: destinations[${i}]`;
    const resolved = interpolate(raw, env, opts.secrets ?? true, (message) => problems.push(`${at}: ${message}`));
    const parsed = DESTINATION.safeParse(resolved);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${at}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
      return;
    }
    destinations.push(parsed.data);
  });
  const names = destinations.map((d) => d.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(`${where}: two destinations are named "${name}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  return destinations;
}

/** ${NAME} in any string value, from the environment; without `secrets`, the secret is not resolved. */
function interpolate(
  value: unknown,
  env: Env,
  secrets: boolean,
  problem: (message: string) => void,
  key = '',
): unknown {
  if (typeof value === 'string') {
    if (key === 'secret' && !secrets) return `whsec_${Buffer.alloc(24).toString('base64')}`;
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const resolved = env[name];
      if (resolved === undefined || resolved === '') problem(`${key || 'a value'} names \${${name}}, which is not set`);
      return resolved ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, secrets, problem, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, secrets, problem, k)]));
  }
  return value;
}

function protocolOf(value: string): string {
  try {
    return new URL(value).protocol;
  } catch {
    return '';
  }
}

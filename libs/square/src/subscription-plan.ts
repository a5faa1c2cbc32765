import { EVENT_CATALOG } from './event-catalog.js';
import { matchesEventType } from './event-type-pattern.js';

// What Square's webhook subscription must look like for this pipeline, and how far the one Square
// has is from it: used by `npm run square -- subscriptions sync` (to change it) and the worker's
// self-check (to warn). Pure: the SDK calls live in @app/square-api.

/** The catalog's test notification: Square sends it on a test whatever the subscription lists. */
const NOT_SUBSCRIBED = new Set(['webhooks.test_notification']);

/** The event types the type patterns (exact, prefix.*, *) name, expanded against the catalog, sorted. */
export function expandEventTypes(patterns: readonly string[]): string[] {
  return Object.keys(EVENT_CATALOG)
    .filter((type) => !NOT_SUBSCRIBED.has(type) && matchesEventType(patterns, type))
    .sort();
}

/** What consumes events here: the mirror's types, the team's handlers, the destinations' filters. */
export interface EventConsumers {
  mirror: readonly string[];
  handlers: ReadonlyArray<{ eventTypes: readonly string[] }>;
  destinations: ReadonlyArray<{ eventTypes: readonly string[] }>;
}

// The worker always revokes a seller's tokens on this one (merchant-revocation.handler.ts).
const ALWAYS_CONSUMED = ['oauth.authorization.revoked'];

/** Every event type something here consumes: what Square's subscription must list. */
export function consumedEventTypes(c: EventConsumers): string[] {
  return expandEventTypes([
    ...c.mirror,
    ...c.handlers.flatMap((h) => h.eventTypes),
    ...c.destinations.flatMap((d) => d.eventTypes),
    ...ALWAYS_CONSUMED,
  ]);
}

export interface SubscriptionShape {
  eventTypes: readonly string[];
  apiVersion: string;
  enabled: boolean;
}

export interface SubscriptionPlan {
  /** create: no subscription for the URL; update: it differs; none: it matches. */
  action: 'create' | 'update' | 'none';
  added: string[];
  removed: string[];
  apiVersion?: { from: string | undefined; to: string };
  enabled?: { from: boolean | undefined; to: boolean };
}

/** How to turn `current` (undefined: none exists) into `wanted` (always enabled). */
export function planSubscription(
  current: SubscriptionShape | undefined,
  wanted: Omit<SubscriptionShape, 'enabled'>,
): SubscriptionPlan {
  const have = new Set(current?.eventTypes ?? []);
  const want = new Set(wanted.eventTypes);
  const plan: SubscriptionPlan = {
    action: 'none',
    added: [...want].filter((t) => !have.has(t)).sort(),
    removed: [...have].filter((t) => !want.has(t)).sort(),
  };
  if (current?.apiVersion !== wanted.apiVersion) plan.apiVersion = { from: current?.apiVersion, to: wanted.apiVersion };
  if (current?.enabled !== true) plan.enabled = { from: current?.enabled, to: true };
  if (current === undefined) plan.action = 'create';
  else if (plan.added.length + plan.removed.length > 0 || plan.apiVersion || plan.enabled) plan.action = 'update';
  return plan;
}

/** The plan as lines: "+ type", "- type", "api version: a → b", "enabled: false → true". */
export function describePlan(plan: SubscriptionPlan): string[] {
  if (plan.action === 'none') return [];
  const lines = [...plan.added.map((t) => `+ ${t}`), ...plan.removed.map((t) => `- ${t}`)];
  if (plan.apiVersion) lines.push(`api version: ${plan.apiVersion.from ?? '(none)'} → ${plan.apiVersion.to}`);
  if (plan.enabled && plan.action === 'update') lines.push(`enabled: ${String(plan.enabled.from)} → true`);
  return lines;
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SquareSettingsCliConfig } from '@app/config';
import { consumedEventTypes } from '@app/square';
import { SquareApiClient, SquareApiError, WebhookSettingsApi, type WebhookSubscriptionState } from '@app/square-api';

// What the `subscriptions` and `events` commands share: the application's settings API, our
// subscription, the event types this pipeline consumes, and the one-line refusals (exit 2).

/** Bad input or a refusal of Square's that nothing was changed by: one line, exit 2. */
export class SettingsRefused extends Error {}

export interface SettingsContext {
  api: WebhookSettingsApi;
  config: SquareSettingsCliConfig;
}

export function settingsContext(config: SquareSettingsCliConfig): SettingsContext {
  const { accessToken, environment, baseUrl, timeoutMs } = config.squareSubscription;
  if (accessToken === undefined) {
    throw new SettingsRefused(
      "SQUARE_ACCESS_TOKEN is not set: these commands need the application's access token (Developer Console → Credentials)",
    );
  }
  return { api: new WebhookSettingsApi(new SquareApiClient({ environment, baseUrl, timeoutMs }), accessToken), config };
}

/** SQUARE_WEBHOOK_NOTIFICATION_URL, which the subscription is for. */
export function notificationUrl(config: SquareSettingsCliConfig): string {
  const url = config.squareSubscription.notificationUrl;
  if (url === undefined)
    throw new SettingsRefused(
      'SQUARE_WEBHOOK_NOTIFICATION_URL is not set: the public URL of the ingress, e.g. https://hooks.example.com/webhooks/square',
    );
  return url;
}

/** The subscription for SQUARE_WEBHOOK_NOTIFICATION_URL. */
export function ourSubscription(ctx: SettingsContext): Promise<WebhookSubscriptionState | undefined> {
  return ctx.api.subscriptionFor(notificationUrl(ctx.config));
}

/** Every event type the mirror, the team's handlers and the destinations consume, expanded against the catalog. */
export async function neededEventTypes(config: SquareSettingsCliConfig, cwd = process.cwd()): Promise<string[]> {
  return consumedEventTypes({
    mirror: config.handlers.mirrorEventTypes,
    handlers: await handlerEventTypes(config.handlers.modules, cwd),
    // Only the filters: the secrets are not needed to know what a destination wants.
    destinations: config.forwarding.destinations.loadWithoutSecrets(),
  });
}

/**
 * The eventTypes of the handlers SQUARE_EVENT_HANDLERS names, imported as the worker imports them
 * (paths relative to the working directory); the worker checks their shape, this only reads.
 */
async function handlerEventTypes(
  paths: readonly string[],
  cwd: string,
): Promise<Array<{ eventTypes: readonly string[] }>> {
  const found: Array<{ eventTypes: readonly string[] }> = [];
  for (const path of paths) {
    const file = resolve(cwd, path);
    if (!existsSync(file))
      throw new SettingsRefused(`SQUARE_EVENT_HANDLERS: ${path} does not exist (looked for ${file})`);
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    for (const handler of [module.default].flat()) {
      const eventTypes = (handler as { eventTypes?: unknown } | undefined)?.eventTypes;
      if (Array.isArray(eventTypes))
        found.push({ eventTypes: eventTypes.filter((t): t is string => typeof t === 'string') });
    }
  }
  return found;
}

/**
 * Square's refusals that mean bad input, not a failure (a token it does not know, one without the
 * permission, a value it refuses such as a URL that is not https) become SettingsRefused.
 */
export function refusal(err: unknown): unknown {
  if (!(err instanceof SquareApiError) || err.status === null) return err;
  // Settings calls carry no customer data: Square's own words say best what it refused.
  const detail = err.detail ?? err.message;
  const status = `${err.status}${err.code ? ` ${err.code}` : ''}`;
  if (err.status === 401)
    return new SettingsRefused(
      `Square refused SQUARE_ACCESS_TOKEN (${status}): check the token and SQUARE_ENVIRONMENT (a sandbox token is not a production one); nothing changed`,
    );
  if (err.status === 403)
    return new SettingsRefused(
      `SQUARE_ACCESS_TOKEN may not do this (${status}): use the application's own access token, which manages its webhooks; nothing changed`,
    );
  if (err.status === 400) return new SettingsRefused(`Square refused it (${status}): ${detail}; nothing changed`);
  return err;
}

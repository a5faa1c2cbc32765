import { describePlan, planSubscription } from '@app/square';
import type { WebhookSubscriptionState } from '@app/square-api';
import type { SquareCommand } from './square-args.js';
import {
  SettingsRefused,
  neededEventTypes,
  notificationUrl,
  ourSubscription,
  type SettingsContext,
} from './square-settings.js';

// `npm run square -- subscriptions list | sync [--dry-run] | rotate-key` (test: subscription-test.command.ts).

type SubscriptionsCommand = Extract<SquareCommand, { name: 'subscriptions' }>;

/** What Square shows as the subscription's name in the Developer Console. */
const SUBSCRIPTION_NAME = 'square-webhooks pipeline';

export async function runList(ctx: SettingsContext): Promise<number> {
  const ours = ctx.config.squareSubscription.notificationUrl;
  const all = await ctx.api.listSubscriptions();
  if (all.length === 0) console.log('no webhook subscriptions (npm run square -- subscriptions sync creates ours)');
  for (const s of all) {
    const mark = s.notificationUrl === ours ? ' (ours: SQUARE_WEBHOOK_NOTIFICATION_URL)' : '';
    console.log(`${s.id} ${s.enabled ? 'enabled' : 'DISABLED'} ${s.notificationUrl}${mark}`);
    console.log(
      `  name "${s.name}", api version ${s.apiVersion || '(none)'}, ${s.eventTypes.length} event types: ${s.eventTypes.join(', ')}`,
    );
  }
  return 0;
}

/**
 * Makes our subscription list exactly the consumed types, at SQUARE_API_VERSION, enabled: creates
 * it when missing, prints the difference, applies it unless --dry-run.
 */
export async function runSync(
  cmd: Extract<SubscriptionsCommand, { action: 'sync' }>,
  ctx: SettingsContext,
): Promise<number> {
  const url = notificationUrl(ctx.config);
  const eventTypes = await neededEventTypes(ctx.config);
  const apiVersion = ctx.config.squareSubscription.apiVersion;
  const current = await ourSubscription(ctx);
  const plan = planSubscription(current, { eventTypes, apiVersion });
  console.log(
    current
      ? `subscription ${current.id} for ${url}`
      : `no subscription for ${url}: ${cmd.dryRun ? 'sync would create' : 'creating'} one`,
  );
  if (plan.action === 'none') {
    console.log(`no changes: ${eventTypes.length} event types at api version ${apiVersion}, enabled`);
    return 0;
  }
  for (const line of describePlan(plan)) console.log(`  ${line}`);
  if (cmd.dryRun) {
    console.log('dry run: nothing changed');
    return 0;
  }
  const fields = { eventTypes, apiVersion, enabled: true, notificationUrl: url };
  if (current) {
    await ctx.api.updateSubscription(current.id, fields);
    console.log(`updated subscription ${current.id}`);
    return 0;
  }
  const created = await ctx.api.createSubscription({ ...fields, name: SUBSCRIPTION_NAME });
  console.log(`created subscription ${created.id}`);
  if (created.signatureKey) printKey(created, created.signatureKey, 'its signature key');
  return 0;
}

/** A new signature key, printed once with the steps; never logged. */
export async function runRotateKey(ctx: SettingsContext): Promise<number> {
  const current = await requireOurs(ctx);
  const key = await ctx.api.rotateSignatureKey(current.id);
  printKey(current, key, 'a new signature key');
  return 0;
}

export async function requireOurs(ctx: SettingsContext): Promise<WebhookSubscriptionState> {
  const current = await ourSubscription(ctx);
  if (!current)
    throw new SettingsRefused(
      `no subscription for ${notificationUrl(ctx.config)} (SQUARE_WEBHOOK_NOTIFICATION_URL): create it with npm run square -- subscriptions sync`,
    );
  return current;
}

function printKey(subscription: WebhookSubscriptionState, key: string, what: string): void {
  console.log(
    `Square signs the notifications of subscription ${subscription.id} with ${what} from now on (shown once, not kept here):`,
  );
  console.log('');
  console.log(`  ${key}`);
  console.log('');
  console.log('Next:');
  console.log('  1. Add it to SQUARE_WEBHOOK_SIGNATURE_KEYS beside the key in use (comma-separated: new,old).');
  console.log('  2. Restart the ingress. Until then its deliveries are refused (401) and Square retries them.');
  console.log('  3. When no delivery signed with the old key arrives any more (Square retries for up to 72 h),');
  console.log('     remove the old key and restart again.');
}

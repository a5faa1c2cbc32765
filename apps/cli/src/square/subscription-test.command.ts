import type { SquareCliConfig } from '@app/config';
import { computeSquareSignature, diagnoseSquareSignature, type SignatureCheck } from '@app/square';
import { waitForCapturedEvent } from './captured-events.js';
import type { SquareCommand } from './square-args.js';
import type { SettingsContext } from './square-settings.js';
import { requireOurs } from './subscriptions.command.js';
import { verifyReport } from './verify.command.js';

type TestCommand = Extract<SquareCommand, { name: 'subscriptions'; action: 'test' }>;

/**
 * `subscriptions test`: Square sends its test notification to our URL; exit 0 once the ingress has
 * captured it (seen in the inbox, DATABASE_URL), with the round trip; else 1, naming what failed.
 */
export async function runTest(cmd: TestCommand, ctx: SettingsContext, signing: SquareCliConfig): Promise<number> {
  const subscription = await requireOurs(ctx);
  const started = performance.now();
  const result = await ctx.api.test(subscription.id);
  const url = subscription.notificationUrl;
  if (result.statusCode === undefined) {
    console.error(
      `failed: Square could not reach ${url} (no answer): is the ingress running and reachable from the internet at that URL?`,
    );
    return 1;
  }
  if (result.statusCode === 401) {
    console.error(`failed: the ingress at ${url} refused the signature of Square's test notification (401)`);
    // Square signed with the subscription's key over its URL: would the ingress's settings here match?
    const signed = await ctx.api.retrieveSubscription(subscription.id);
    for (const line of signatureDiagnosis(signed.signatureKey, url, result.payload, signing))
      console.error(`  ${line}`);
    return 1;
  }
  if (result.statusCode < 200 || result.statusCode >= 300) {
    console.error(`failed: ${url} answered Square's test notification with ${result.statusCode}`);
    return 1;
  }
  if (result.eventId === undefined) {
    console.error('failed: Square sent a test notification without event_id');
    return 1;
  }
  if (!(await waitForCapturedEvent(ctx.config.database, result.eventId, cmd.waitMs))) {
    console.error(
      `failed: ${url} answered ${result.statusCode} but test notification ${result.eventId} was not captured in the inbox within ${cmd.waitMs} ms (is DATABASE_URL the ingress's database?)`,
    );
    return 1;
  }
  console.log(
    `ok: Square's test notification ${result.eventId} was captured by the ingress at ${url} in ${Math.round(performance.now() - started)} ms`,
  );
  return 0;
}

/** Why this machine's SQUARE_WEBHOOK_SIGNATURE_KEYS and notification URL do not match what Square signed with. */
function signatureDiagnosis(
  key: string | undefined,
  url: string,
  payload: Record<string, unknown>,
  signing: SquareCliConfig,
): string[] {
  if (key === undefined)
    return ["Square did not return the subscription's signature key, so the cause cannot be narrowed down."];
  // Square's bodies are compact JSON; the signature over it is what Square sent.
  const body = Buffer.from(JSON.stringify(payload));
  const check: SignatureCheck = {
    signature: computeSquareSignature('sha256', key, url, body),
    rawBody: body,
    notificationUrl: signing.notificationUrl,
    algorithm: 'sha256',
    keys: signing.signatureKeys.map((k, i) => ({ label: `SQUARE_WEBHOOK_SIGNATURE_KEYS #${i + 1}`, key: k })),
  };
  const diagnosis = diagnoseSquareSignature(check);
  if (diagnosis.valid) {
    return [
      'SQUARE_WEBHOOK_SIGNATURE_KEYS and SQUARE_WEBHOOK_NOTIFICATION_URL here match what Square signed with: restart the ingress with these settings.',
    ];
  }
  return [
    "Checked with this machine's SQUARE_WEBHOOK_SIGNATURE_KEYS and SQUARE_WEBHOOK_NOTIFICATION_URL, as the ingress would:",
    ...verifyReport(diagnosis, check),
    "Square signs with the subscription's current key: npm run square -- subscriptions rotate-key prints a new one.",
  ];
}

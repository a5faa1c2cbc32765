// npm run square -- send <sample-or-file> | verify <body-file> | replay <eventId> | listen [--forward-to <url>]
//                  | subscriptions list|sync|test|rotate-key | events enable
// Square webhook tools: sign and send events, diagnose signatures, re-send captured events,
// receive forwarded ones, and manage Square's side (the webhook subscription, the Events API).
// No Nest context: these are a few pure functions, a few HTTP requests and at most a few queries.
import { loadAppConfig, loadDotEnv, loadSquareCliConfig, type SquareCliConfig } from '@app/config';
import { runCli } from './cli-args.js';
import { runEventsEnable } from './square/events-enable.command.js';
import { SettingsRefused, refusal, settingsContext } from './square/square-settings.js';
import { runTest } from './square/subscription-test.command.js';
import { runList, runRotateKey, runSync } from './square/subscriptions.command.js';
import { listSamples } from './square/event-source.js';
import { runListen } from './square/listen.command.js';
import { runListenForward } from './square/listen-forward.command.js';
import { runReplay } from './square/replay.command.js';
import { parseSquareArgs, type SquareCommand } from './square/square-args.js';
import { runSend } from './square/send.command.js';
import { runVerify } from './square/verify.command.js';
import { runVerifyLast } from './square/verify-last.command.js';
import { runTrigger } from './square/trigger.command.js';

function usage(): string {
  return `usage: npm run square -- <command>

  send <sample|file> [--url <url>] [--key <key>] [--to <url>] [--new-id] [--legacy]
      Sign a webhook body as Square does and POST it; print the answer.
      <sample> is the name of a file in apps/cli/samples: ${listSamples().join(', ') || '(none found)'}.
      Anything else is a file path, e.g. ./payment.updated.json.
      --url     the notification URL to sign for (default SQUARE_WEBHOOK_NOTIFICATION_URL,
                else http://localhost:3000/webhooks/square)
      --key     the signature key (default the first of SQUARE_WEBHOOK_SIGNATURE_KEYS,
                else the development key whsk_local_development_key)
      --to      POST there instead of to --url (a proxy, a tunnel, another port)
      --new-id  give the event a fresh event_id and created_at, so it is not a duplicate
      --legacy  sign with legacy HMAC-SHA1 (x-square-signature) instead of HMAC-SHA256

  verify <body-file> --signature <sig> [--url <url>] [--key <key>…] [--legacy]
      Say whether the signature is valid for the body; when not, which usual mistake
      (trailing slash, http/https, another key, re-serialized body, SHA-1/SHA-256)
      would make it match. --key may be repeated or comma-separated; any match is valid.
      --url and --key default as for send. Exit 0 valid, 1 invalid.

  verify --last [--key <key>…]
      The same diagnosis for the last delivery the ingress refused for its signature (it
      keeps the last 50, from Postgres: DATABASE_URL), with what the ingress logged then.

  trigger <event-type> [--set path=value]… [--merchant <id>] [--count N] [--to <url>] [--url <url>] [--key <key>]
      A realistic signed event of any type Square sends (libs/square/src/event-catalog.ts),
      --set overriding fields (value as JSON, else text), sent --count times (default 1) as
      send does. With SQUARE_BASE_URL at the fake Square API, the objects the worker retrieves
      are seeded there first; with DATABASE_URL reachable, waits for each outcome and prints it.

  replay <eventId> --to <url> [--url <url>] [--key <key>] [--legacy]
      Read a captured event's raw body from Postgres (DATABASE_URL), sign it for --url
      (default --to) and POST it to --to, e.g. a local development server.

  listen --forward-to <url> [--events <type>…] [--secret <whsec_…>] [--allow-remote]
      Forward the running pipeline's events to <url> (your app on this machine) while this
      runs: a temporary destination, signed with Standard Webhooks (the secret is printed;
      --secret to use yours), one line per delivery attempt (type, id, status, latency).
      Ctrl-C removes it with its deliveries; a killed listen's goes within 15 s. --events
      exact types, prefix.* or * (default *), repeated or comma-separated. <url> must be on
      this machine unless --allow-remote. Needs DATABASE_URL (the pipeline's) and a worker.

  listen [--port <port>] [--secret <whsec_…>] [--status <code>]
      A local receiver for a forwarding destination (url: http://localhost:4000/): print
      each request, verified with the destination's secret as the standardwebhooks package
      does (401 when invalid). --port default 4000; --status the answer, default 200 (try
      500 to watch the retries). With --forward-to above, it can be that <url>.

  subscriptions list
      Square's webhook subscriptions of the application (SQUARE_ACCESS_TOKEN), ours marked.
  subscriptions sync [--dry-run]
      Make the subscription for SQUARE_WEBHOOK_NOTIFICATION_URL list exactly the event types the
      mirror (SQUARE_MIRROR_EVENT_TYPES), the handlers (SQUARE_EVENT_HANDLERS) and the destinations
      (FORWARD_DESTINATIONS_FILE) consume, at SQUARE_API_VERSION, enabled; create it when missing.
      Prints the difference (+ added, - removed); --dry-run changes nothing.
  subscriptions test [--wait <ms>]
      Square sends its test notification; wait (default 30000 ms) until the ingress captured it
      (the inbox, DATABASE_URL). Exit 1 naming what failed: unreachable, signature, not captured.
  subscriptions rotate-key
      Ask Square for a new signature key; print it once, with the steps to roll it out.
  events enable
      Enable Square's Events API for the application (what the reconciler searches); events from
      before enabling are never searchable.

Settings come from the environment or .env. Exit codes: 0 ok, 1 failed or invalid, 2 usage or
refused (no token, a token without permission, a value Square refuses: nothing changed).`;
}

async function main(argv: string[]): Promise<number> {
  const command = parseSquareArgs(argv);
  if (command.name === 'help') {
    console.log(usage());
    return 0;
  }
  if (command.name === 'listen') return runListen(command);
  loadDotEnv();
  const config = loadSquareCliConfig();
  switch (command.name) {
    case 'send':
      return runSend(command, config);
    case 'verify':
      return runVerify(command, config);
    case 'verify-last':
      return runVerifyLast(command, config);
    case 'trigger':
      return runTrigger(command, config);
    case 'replay':
      return runReplay(command, config);
    case 'listen-forward':
      return runListenForward(command, config);
    case 'subscriptions':
    case 'events':
      return runSettings(command, config);
  }
}

/** Square's side: a refusal (bad input, nothing changed) is one line and exit 2. */
async function runSettings(
  command: Extract<SquareCommand, { name: 'subscriptions' | 'events' }>,
  signing: SquareCliConfig,
): Promise<number> {
  try {
    const ctx = settingsContext(loadAppConfig('squareSettingsCli'));
    if (command.name === 'events') return await runEventsEnable(ctx);
    switch (command.action) {
      case 'list':
        return await runList(ctx);
      case 'sync':
        return await runSync(command, ctx);
      case 'test':
        return await runTest(command, ctx, signing);
      case 'rotate-key':
        return await runRotateKey(ctx);
    }
  } catch (err) {
    const refused = refusal(err);
    if (!(refused instanceof SettingsRefused)) throw refused;
    console.error(`square: ${refused.message}`);
    return 2;
  }
}

runCli('square', 'npm run square --', main);

// npm run events -- replay … | replay-delivery … | backfill … | purge … | erase …   (see events/events-args.ts)
//                   list … | show … | deliveries list|show …                        (see events/inspect.command.ts)
// Operations on captured events and their deliveries, through the same use cases as the admin API.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withTimeout } from '@app/timeouts';
import { ConfigModule, loadAppConfig, loadDotEnv } from '@app/config';
import { DatabaseModule } from '@app/database';
import { PURGE_CATEGORIES, type PurgeCounts } from '@app/database';
import {
  DestinationControlUseCase,
  EraseUseCase,
  EventsModule,
  PurgeUseCase,
  ReconcileEventsUseCase,
  ReplayDeliveriesUseCase,
  ReplayEventsUseCase,
  RetentionModule,
  type DeliveryReplayResult,
  type ReplayResult,
} from '@app/events';
import { QueueModule } from '@app/queue-runtime';
import { SquareApiClient } from '@app/square-api';
import { runCli } from './cli-args.js';
import { printErasure } from './events/erasure-report.js';
import { isDestinationsCommand } from './events/destinations-args.js';
import { runDestinationsCommand } from './events/destinations-commands.js';
import { EVENTS_USAGE, parseEventsArgs, type EventsCommand } from './events/events-args.js';
import { INSPECT_USAGE, runInspect } from './events/inspect.command.js';
import { runRerun } from './events/rerun.command.js';

async function main(argv: string[]): Promise<number> {
  const inspected = argv.includes('--help') ? undefined : await runInspect(argv);
  if (inspected !== undefined) return inspected;
  const command = parseEventsArgs(argv);
  if (command.name === 'help') {
    console.log(`${EVENTS_USAGE}\n\nInspecting (the console's data, for terminals and scripts):\n${INSPECT_USAGE}`);
    return 0;
  }
  loadDotEnv();
  const config = loadAppConfig('eventsCli');
  // No Nest context: Postgres and the handler modules only.
  if (command.name === 'rerun') return runRerun(command, config);
  // Names only: a replay to a destination the file no longer lists would wait for nobody.
  const destinations = config.forwarding.destinations.loadWithoutSecrets().map((d) => d.name);
  if (
    (isDestinationsCommand(command) || (command.name === 'replay-delivery' && command.destination)) &&
    !config.forwarding.destinationsFile
  ) {
    // Set inline on `npm start` but not in .env: the CLI cannot know it.
    console.error(
      'events: FORWARD_DESTINATIONS_FILE is not set (in the environment or .env); set it as for the worker',
    );
    return 1;
  }
  if (command.name === 'replay-delivery' && command.destination && !destinations.includes(command.destination)) {
    console.error(
      `events: no destination "${command.destination}" in FORWARD_DESTINATIONS_FILE (it lists ${destinations.join(', ') || 'none'})`,
    );
    return 1;
  }

  @Module({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot(),
      QueueModule.forRoot('Replays still work; Bull Board keeps listing the replayed events as dead letters.'),
      EventsModule,
      RetentionModule,
    ],
    // backfill: the Events API with SQUARE_ACCESS_TOKEN (config.reconcile).
    providers: [ReconcileEventsUseCase, { provide: SquareApiClient, useValue: new SquareApiClient(config.reconcile) }],
  })
  class EventsCliModule {}

  const app = await NestFactory.createApplicationContext(EventsCliModule, { logger: ['error', 'fatal'] });
  const answered = <T>(work: Promise<T>) => withTimeout(work, 60_000, 'no answer within 60 s (is Postgres reachable?)');
  try {
    if (isDestinationsCommand(command)) {
      return await answered(runDestinationsCommand(app.get(DestinationControlUseCase), command, destinations));
    }
    if (command.name === 'backfill') return await backfill(app.get(ReconcileEventsUseCase), command);
    if (command.name === 'purge') return await purge(app.get(PurgeUseCase), command);
    if (command.name === 'replay-matching') {
      const { matched, result } = await app
        .get(ReplayEventsUseCase)
        .replayMatching(command.filter, { ratePerSecond: command.ratePerSecond, dryRun: command.dryRun });
      if (command.dryRun) {
        console.log(`${matched} dead-lettered event(s) match; nothing replayed (--dry-run)`);
        return 0;
      }
      print(result);
      return result.failed.length > 0 ? 1 : 0;
    }
    if (command.name === 'erase') {
      // Full scans of the inbox and the mirror (about 7 s a scan per million events): minutes, not seconds, on a large inbox.
      const erased = await withTimeout(
        app.get(EraseUseCase).erase(command.subject),
        15 * 60_000,
        'no answer within 15 minutes (is Postgres reachable?)',
      );
      return printErasure(command.subject, erased);
    }
    if (command.name === 'replay-delivery') {
      const replay = app.get(ReplayDeliveriesUseCase);
      const result = await answered(
        command.destination ? replay.replayDestination(command.destination) : replay.replay(command.deliveryIds),
      );
      printDeliveries(result);
      return result.notFound.length > 0 ? 1 : 0;
    }
    const replay = app.get(ReplayEventsUseCase);
    const result = await answered(command.deadLettered ? replay.replayDeadLettered() : replay.replay(command.eventIds));
    print(result);
    return result.failed.length > 0 || result.notFound.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

function print(result: ReplayResult): void {
  for (const id of result.replayed) console.log(`replayed ${id}`);
  for (const id of result.skipped)
    console.log(`skipped ${id} (not dead-lettered, or its body was purged by retention)`);
  for (const id of result.notFound) console.error(`events: no event ${id} in the inbox`);
  for (const f of result.failed) console.error(`events: failed ${f.eventId}: ${f.error}`);
  if (result.warning) console.error(`events: note: ${result.warning}`);
  console.log(
    `${result.replayed.length} replayed, ${result.skipped.length} skipped, ${result.notFound.length} not found, ${result.failed.length} failed`,
  );
}

// Square keeps 28 days of events; a range starting earlier is refused rather than silently cut.
const SEARCHABLE_MS = 28 * 24 * 3600 * 1000;

async function backfill(
  reconcile: ReconcileEventsUseCase,
  command: Extract<EventsCommand, { name: 'backfill' }>,
): Promise<number> {
  if (!reconcile.enabled) {
    console.error(
      "events: backfill needs SQUARE_ACCESS_TOKEN, the application's own (personal) access token: Square's Events API takes no OAuth token",
    );
    return 1;
  }
  if (command.since.getTime() < Date.now() - SEARCHABLE_MS) {
    console.error(
      `events: --since ${command.since.toISOString()} is more than 28 days ago; Square's Events API keeps 28 days`,
    );
    return 1;
  }
  const to = command.until ?? new Date();
  // No timeout of ours: a long range is many pages, each with Square's own timeout.
  const result = await reconcile.scan({ from: command.since, to, types: command.types });
  console.log(
    `${command.since.toISOString()} – ${to.toISOString()}: ${result.found} found, ${result.present} already present, ${result.recovered} recovered${result.skipped ? `, ${result.skipped} skipped (see the log)` : ''}`,
  );
  return 0;
}

const LABELS: Record<keyof PurgeCounts, string> = {
  events: 'processed/ignored event bodies',
  deadLettered: 'dead-lettered event bodies',
  deliveries: 'finished deliveries',
  invalid: 'invalid bodies',
};

async function purge(purger: PurgeUseCase, command: Extract<EventsCommand, { name: 'purge' }>): Promise<number> {
  const before = new Date(Date.now() - command.olderThanMs);
  const cutoffs = {
    events: before,
    deliveries: before,
    invalid: before,
    ...(command.deadLettered ? { deadLettered: before } : {}),
  };
  const result = command.dryRun ? undefined : await purger.purge(cutoffs, { pauseMs: 10 });
  const counts = result?.purged ?? (await purger.count(cutoffs));
  const what = PURGE_CATEGORIES.filter((c) => cutoffs[c] !== undefined)
    .map((c) => `${counts[c]} ${LABELS[c]}`)
    .join(', ');
  const entries = result && command.deadLettered ? `, ${result.deadLetterEntries} dead-letter queue entries` : '';
  console.log(`${command.dryRun ? 'would purge' : 'purged'} (older than ${before.toISOString()}): ${what}${entries}`);
  return 0;
}

function printDeliveries(result: DeliveryReplayResult): void {
  for (const id of result.replayed) console.log(`replayed delivery ${id}`);
  for (const id of result.skipped) console.log(`skipped delivery ${id} (not dead-lettered)`);
  for (const id of result.notFound) console.error(`events: no delivery ${id}`);
  console.log(
    `${result.replayed.length} replayed, ${result.skipped.length} skipped, ${result.notFound.length} not found`,
  );
}

runCli('events', 'npm run events --', main);

// npm run events -- replay <eventId> [<eventId>…] | replay --dead-lettered   (see events/events-args.ts)
// Operations on captured events, through the same use cases as the admin API.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withTimeout } from '@app/timeouts';
import { ConfigModule, loadAppConfig, loadDotEnv } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule, ReplayEventsUseCase, type ReplayResult } from '@app/events';
import { QueueModule } from '@app/queue';
import { runCli } from './cli-args.js';
import { EVENTS_USAGE, parseEventsArgs } from './events/events-args.js';

async function main(argv: string[]): Promise<number> {
  const command = parseEventsArgs(argv);
  if (command.name === 'help') {
    console.log(EVENTS_USAGE);
    return 0;
  }
  loadDotEnv();
  const config = loadAppConfig('eventsCli');

  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), QueueModule.forRoot('Replays still work; Bull Board keeps listing the replayed events as dead letters.'), EventsModule] })
  class EventsCliModule {}

  const app = await NestFactory.createApplicationContext(EventsCliModule, { logger: ['error', 'fatal'] });
  try {
    const replay = app.get(ReplayEventsUseCase);
    const work = command.deadLettered ? replay.replayDeadLettered() : replay.replay(command.eventIds);
    const result = await withTimeout(work, 60_000, 'no answer within 60 s (is Postgres reachable?)');
    print(result);
    return result.failed.length > 0 || result.notFound.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

function print(result: ReplayResult): void {
  for (const id of result.replayed) console.log(`replayed ${id}`);
  for (const id of result.skipped) console.log(`skipped ${id} (not dead-lettered)`);
  for (const id of result.notFound) console.error(`events: no event ${id} in the inbox`);
  for (const f of result.failed) console.error(`events: failed ${f.eventId}: ${f.error}`);
  if (result.warning) console.error(`events: note: ${result.warning}`);
  console.log(`${result.replayed.length} replayed, ${result.skipped.length} skipped, ${result.notFound.length} not found, ${result.failed.length} failed`);
}

runCli('events', 'npm run events --', main);

// npm run events -- replay <eventId> [<eventId>…]
// npm run events -- replay --dead-lettered
// Puts dead-lettered events back to 'received' and enqueues them again (DATABASE_URL, REDIS_URL).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withTimeout } from '@app/batching';
import { ConfigError, ConfigModule, loadDotEnv, loadEventsCliConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule, ReplayEventsUseCase, type ReplayResult } from '@app/events';
import { QueueModule } from '@app/queue';

const USAGE = `usage:
  npm run events -- replay <eventId> [<eventId>…]   replay these dead-lettered events
  npm run events -- replay --dead-lettered          replay every dead-lettered event`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'replay' || args.length === 0 || args.includes('--help')) {
    console.error(USAGE);
    return command === undefined || args.includes('--help') ? 0 : 2;
  }
  loadDotEnv();
  const config = loadEventsCliConfig();

  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, QueueModule.forRoot(), EventsModule] })
  class EventsCliModule {}

  const app = await NestFactory.createApplicationContext(EventsCliModule, { logger: ['error', 'fatal'] });
  try {
    const replay = app.get(ReplayEventsUseCase);
    const all = args.includes('--dead-lettered');
    const ids = args.filter((a) => !a.startsWith('--'));
    const result = await withTimeout(all ? replay.replayDeadLettered() : replay.replay(ids), 60_000, 'no answer within 60 s (is Redis reachable?)');
    print(result);
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

function print(result: ReplayResult): void {
  for (const id of result.replayed) console.log(`replayed ${id}`);
  for (const id of result.skipped) console.log(`skipped ${id} (not dead-lettered)`);
  for (const f of result.failed) console.log(`failed ${f.eventId}: ${f.error}`);
  console.log(`${result.replayed.length} replayed, ${result.skipped.length} skipped, ${result.failed.length} failed`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `events: ${(err as Error).message}`);
    process.exit(1);
  },
);

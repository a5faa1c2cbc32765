import { DynamicModule, Module } from '@nestjs/common';
import { AdminAppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule } from '@app/events';
import { HealthModule } from '@app/health';
import { QueueModule } from '@app/queue';
import { AdminEventsController } from './events/admin-events.controller.js';
import { queuesBoardImports } from './queues-board/queues-board.imports.js';

// Authentication is not configured here but in admin.app.ts: Bull Board is Express middleware
// of a global module, which Nest mounts before any middleware this module could declare.
@Module({})
export class AdminModule {
  static forRoot(config: AdminAppConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ prisma: true }),
        QueueModule.forRoot('The admin API still lists and replays events; Bull Board shows nothing until Redis is back.'),
        EventsModule,
        HealthModule,
        ...queuesBoardImports(),
      ],
      controllers: [AdminEventsController],
    };
  }
}

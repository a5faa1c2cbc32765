import { DynamicModule, Module } from '@nestjs/common';
import { AdminAppConfig, ConfigModule, DESTINATIONS, type Destination } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventsModule } from '@app/events';
import { HealthModule } from '@app/health';
import { MerchantsModule } from '@app/merchants';
import { QueueModule } from '@app/queue-runtime';
import { ConsoleController } from './console/console.controller.js';
import { ConsoleDestinationsController } from './console/console-destinations.controller.js';
import { AdminDeliveriesController } from './deliveries/admin-deliveries.controller.js';
import { AdminDestinationsController } from './deliveries/admin-destinations.controller.js';
import { AdminEventsController } from './events/admin-events.controller.js';
import { SquareOAuthController } from './oauth/square-oauth.controller.js';
import { queuesBoardImports } from './queues-board/queues-board.imports.js';

// Authentication is not configured here but in admin.app.ts: Bull Board is Express middleware
// of a global module, which Nest mounts before any middleware this module could declare.
@Module({})
export class AdminModule {
  /** `destinations`: FORWARD_DESTINATIONS_FILE's, names only (admin.app.ts reads them without secrets). */
  static forRoot(config: AdminAppConfig, destinations: readonly Destination[]): DynamicModule {
    const names = destinations.map((d) => d.name);
    return {
      module: AdminModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ prisma: true }),
        QueueModule.forRoot(
          'The admin API still lists and replays events and deliveries; Bull Board shows nothing until Redis is back.',
          names,
        ),
        EventsModule,
        MerchantsModule,
        HealthModule,
        ...queuesBoardImports(names),
      ],
      providers: [{ provide: DESTINATIONS, useValue: destinations }],
      controllers: [
        AdminEventsController,
        AdminDeliveriesController,
        AdminDestinationsController,
        SquareOAuthController,
        ConsoleController,
        ConsoleDestinationsController,
      ],
    };
  }
}

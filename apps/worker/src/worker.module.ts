import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, WorkerAppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import type { LoadedHandler } from '@app/handlers';
import { HealthModule } from '@app/health';
import { MetricsModule } from '@app/metrics';
import { QueueModule } from '@app/queue-runtime';
import { ForwardDestinations } from './forwarding/forward-destinations.js';
import { ForwardingModule } from './forwarding/forwarding.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { RelayModule } from './relay/relay.module.js';
import { SquareEventsModule } from './square-events/square-events.module.js';
import { WorkerInputsModule } from './worker-inputs.module.js';

const WHILE_REDIS_IS_DOWN =
  'Webhooks are still accepted (the ingress needs Postgres only); their jobs wait in Postgres (job_outbox) and are processed once Redis is back.';

/**
 * The worker: the shared infrastructure (configuration, Postgres, the queues, health, metrics) and
 * four feature modules — square-events (processing), forwarding, relay (outbox → BullMQ) and
 * maintenance (the periodic passes).
 */
@Module({})
export class WorkerModule {
  /**
   * `teamHandlers` (SQUARE_EVENT_HANDLERS) and `destinations` (FORWARD_DESTINATIONS_FILE, reloaded
   * while it runs) are loaded before the app is built (worker.app.ts).
   */
  static forRoot(
    config: WorkerAppConfig,
    teamHandlers: readonly LoadedHandler[],
    destinations: ForwardDestinations,
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({
          eventBatchMax: config.worker.eventBatchMax,
          eventBatchSlowMs: config.worker.eventBatchSlowMs,
        }),
        QueueModule.forRoot(WHILE_REDIS_IS_DOWN),
        HealthModule,
        MetricsModule,
        WorkerInputsModule.forRoot(teamHandlers, destinations),
        SquareEventsModule,
        ForwardingModule,
        RelayModule,
        MaintenanceModule,
      ],
    };
  }
}

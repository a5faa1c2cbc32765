import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, SquareApiConfig, WorkerAppConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { MetricsModule, QueueMetricsCollector, squareApiRequests, squareApiSeconds } from '@app/metrics';
import { QueueModule } from '@app/queue';
import { SquareApiClient } from '@app/square-api';
import { DeadLetterUseCase } from './square-events/dead-letter.use-case.js';
import { ProcessSquareEventUseCase } from './square-events/process-square-event.use-case.js';
import { SquareEventProcessor } from './square-events/square-event.processor.js';
import { SquareEventsWorker } from './square-events/square-events.worker.js';
import { JobRelayService } from './relay/job-relay.service.js';
import { InboxSweepService } from './sweep/inbox-sweep.service.js';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerAppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), QueueModule.forRoot(
        'Webhooks are still accepted (the ingress needs Postgres only); their jobs wait in Postgres (job_outbox) and are processed once Redis is back.',
      ), HealthModule, MetricsModule],
      providers: [
        { provide: SquareApiClient, inject: [SquareApiConfig], useFactory: squareApiClient },
        ProcessSquareEventUseCase,
        DeadLetterUseCase,
        SquareEventProcessor,
        SquareEventsWorker,
        QueueMetricsCollector,
        JobRelayService,
        InboxSweepService,
      ],
    };
  }
}

function squareApiClient(config: SquareApiConfig): SquareApiClient {
  return new SquareApiClient(config, (operation, status, seconds) => {
    squareApiRequests.inc({ operation, status });
    squareApiSeconds.observe({ operation, status }, seconds);
  });
}

import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, SquareApiConfig, WorkerAppConfig } from '@app/config';
import { DatabaseModule, PeriodicLock } from '@app/database';
import { ReconcileEventsUseCase, RetentionModule } from '@app/events';
import { HealthModule } from '@app/health';
import { MerchantsModule } from '@app/merchants';
import { MetricsModule, httpStatusLabel, squareApiRequests, squareApiSeconds, squareApiUnauthorized } from '@app/metrics';
import { QueueMetricsCollector } from '@app/queue-runtime';
import { QueueModule } from '@app/queue-runtime';
import { SquareApiClient } from '@app/square-api';
import { DeliverUseCase } from './forwarding/deliver.use-case.js';
import { ForwardBacklogCollector } from './forwarding/forward-backlog.collector.js';
import { ForwardCircuit } from './forwarding/forward-circuit.service.js';
import { ForwardDestinations } from './forwarding/forward-destinations.js';
import { ForwardQueues } from './forwarding/forward-queues.js';
import { ForwardRecorderHandler } from './forwarding/forward-recorder.handler.js';
import { ForwardWorkers } from './forwarding/forward-workers.js';
import type { LoadedHandler } from '@app/handlers';
import { HandlerRegistry, TEAM_HANDLERS } from './handlers/handler-registry.js';
import { MerchantRevocationHandler } from './merchants/merchant-revocation.handler.js';
import { MerchantTokenResolver } from './merchants/merchant-token.resolver.js';
import { RevocationVerifier } from './merchants/revocation.verifier.js';
import { TokenRefreshService } from './merchants/token-refresh.service.js';
import { SquareMirrorHandler } from './mirror/square-mirror.handler.js';
import { ReconcileService } from './reconcile/reconcile.service.js';
import { JobRelayService } from './relay/job-relay.service.js';
import { RetentionService } from './retention/retention.service.js';
import { DeadLetterUseCase } from './square-events/dead-letter.use-case.js';
import { APPLY_TIMEOUT_MS, ProcessSquareEventUseCase } from './square-events/process-square-event.use-case.js';
import { InboxAgeCollector } from './square-events/inbox-age.collector.js';
import { SquareEventProcessor } from './square-events/square-event.processor.js';
import { SquareEventsWorker } from './square-events/square-events.worker.js';
import { SquareCanaryService } from './square-subscription/square-canary.service.js';
import { SubscriptionCheckService } from './square-subscription/subscription-check.service.js';
import { SweepService } from './sweep/sweep.service.js';

const WHILE_REDIS_IS_DOWN =
  'Webhooks are still accepted (the ingress needs Postgres only); their jobs wait in Postgres (job_outbox) and are processed once Redis is back.';

@Module({})
export class WorkerModule {
  /**
   * `teamHandlers` (SQUARE_EVENT_HANDLERS) and `destinations` (FORWARD_DESTINATIONS_FILE, reloaded
   * while it runs) are loaded before the app is built (worker.app.ts).
   */
  static forRoot(config: WorkerAppConfig, teamHandlers: readonly LoadedHandler[], destinations: ForwardDestinations): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), QueueModule.forRoot(WHILE_REDIS_IS_DOWN), MerchantsModule, RetentionModule, HealthModule, MetricsModule],
      providers: [
        { provide: SquareApiClient, inject: [SquareApiConfig], useFactory: squareApiClient },
        { provide: TEAM_HANDLERS, useValue: teamHandlers },
        { provide: ForwardDestinations, useValue: destinations },
        { provide: APPLY_TIMEOUT_MS, useValue: config.handlers.timeoutMs },
        SquareMirrorHandler,
        MerchantTokenResolver,
        MerchantRevocationHandler,
        RevocationVerifier,
        TokenRefreshService,
        ReconcileEventsUseCase,
        ReconcileService,
        RetentionService,
        PeriodicLock,
        ForwardRecorderHandler,
        HandlerRegistry,
        ProcessSquareEventUseCase,
        DeadLetterUseCase,
        SquareEventProcessor,
        SquareEventsWorker,
        QueueMetricsCollector,
        JobRelayService,
        SweepService,
        ForwardQueues,
        ForwardCircuit,
        DeliverUseCase,
        ForwardWorkers,
        ForwardBacklogCollector,
        InboxAgeCollector,
        SubscriptionCheckService,
        SquareCanaryService,
      ],
    };
  }
}

function squareApiClient(config: SquareApiConfig): SquareApiClient {
  return new SquareApiClient(config, (operation, status, seconds) => {
    const labels = { operation, status: httpStatusLabel(status) };
    squareApiRequests.inc(labels);
    squareApiSeconds.observe(labels, seconds);
    // What SquareTokenRejected alerts on: a 401 is one of many 4xx.
    if (status === '401') squareApiUnauthorized.inc({ operation });
  });
}

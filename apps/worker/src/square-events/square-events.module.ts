import { Module } from '@nestjs/common';
import { HandlersConfig } from '@app/config';
import { MerchantsModule } from '@app/merchants';
import { QueueMetricsCollector } from '@app/queue-runtime';
import { BullWorkers } from '../bullmq/bullmq-workers.js';
import { ForwardingModule } from '../forwarding/forwarding.module.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import { MerchantRevocationHandler } from '../merchants/merchant-revocation.handler.js';
import { MerchantTokenResolver } from '../merchants/merchant-token.resolver.js';
import { RevocationVerifier } from '../merchants/revocation.verifier.js';
import { SquareMirrorHandler } from '../mirror/square-mirror.handler.js';
import { SquareApiModule } from '../square-api.module.js';
import { DeadLetterUseCase } from './dead-letter.use-case.js';
import { InboxAgeCollector } from './inbox-age.collector.js';
import { APPLY_TIMEOUT_MS, ProcessSquareEventUseCase } from './process-square-event.use-case.js';
import { SquareEventProcessor } from './square-event.processor.js';
import { SquareObjectFetcher } from './square-object.fetcher.js';
import { SquareEventsWorker } from './square-events.worker.js';

/**
 * Processing square-events: the BullMQ worker → the processor → the use case (Square call, then one
 * transaction through the handlers: the mirror, the revocation, the team's, forwarding's recorder).
 */
@Module({
  imports: [SquareApiModule, MerchantsModule, ForwardingModule],
  providers: [
    {
      provide: APPLY_TIMEOUT_MS,
      inject: [HandlersConfig],
      useFactory: (handlers: HandlersConfig) => handlers.timeoutMs,
    },
    BullWorkers,
    SquareMirrorHandler,
    MerchantTokenResolver,
    MerchantRevocationHandler,
    RevocationVerifier,
    HandlerRegistry,
    SquareObjectFetcher,
    ProcessSquareEventUseCase,
    DeadLetterUseCase,
    SquareEventProcessor,
    SquareEventsWorker,
    QueueMetricsCollector,
    InboxAgeCollector,
  ],
  exports: [DeadLetterUseCase],
})
export class SquareEventsModule {}

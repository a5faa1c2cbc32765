import { Module } from '@nestjs/common';
import { BullWorkers } from '../bullmq/bullmq-workers.js';
import { DeliverUseCase } from './deliver.use-case.js';
import { ForwardBacklogCollector } from './forward-backlog.collector.js';
import { ForwardCircuit } from './forward-circuit.service.js';
import { ForwardQueues } from './forward-queues.js';
import { ForwardRecorderHandler } from './forward-recorder.handler.js';
import { ForwardWorkers } from './forward-workers.js';
import { ListenDestinationsPoller } from './listen-destinations.poller.js';

/**
 * Forwarding: a queue and a BullMQ worker per destination (ForwardDestinations, from
 * WorkerInputsModule), the circuit of a failing destination, the delivery use case, and the
 * handler that records deliveries inside an event's transaction (used by square-events), and the
 * poller of `square listen --forward-to`'s temporary destinations.
 */
@Module({
  providers: [
    BullWorkers,
    ForwardQueues,
    ForwardCircuit,
    DeliverUseCase,
    ForwardWorkers,
    ListenDestinationsPoller,
    ForwardBacklogCollector,
    ForwardRecorderHandler,
  ],
  exports: [ForwardQueues, ForwardRecorderHandler],
})
export class ForwardingModule {}

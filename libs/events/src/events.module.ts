import { Module } from '@nestjs/common';
import { EraseUseCase } from './erase.use-case.js';
import { DestinationControlUseCase } from './destination-control.use-case.js';
import { PurgeUseCase } from './purge.use-case.js';
import { ReplayDeliveriesUseCase } from './replay-deliveries.use-case.js';
import { ReplayEventsUseCase } from './replay-events.use-case.js';

/** Operations on captured events and their deliveries, shared by the events CLI and the admin app. */
@Module({
  providers: [ReplayEventsUseCase, ReplayDeliveriesUseCase, DestinationControlUseCase],
  exports: [ReplayEventsUseCase, ReplayDeliveriesUseCase, DestinationControlUseCase],
})
export class EventsModule {}

/** Retention and erasure (the worker's purge, `events purge`, `events erase`); needs the retention config and QueueModule. */
@Module({
  providers: [PurgeUseCase, EraseUseCase],
  exports: [PurgeUseCase, EraseUseCase],
})
export class RetentionModule {}

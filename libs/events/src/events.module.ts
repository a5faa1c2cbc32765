import { Module } from '@nestjs/common';
import { ReplayDeliveriesUseCase } from './replay-deliveries.use-case.js';
import { ReplayEventsUseCase } from './replay-events.use-case.js';

/** Operations on captured events and their deliveries, shared by the events CLI and the admin app. */
@Module({
  providers: [ReplayEventsUseCase, ReplayDeliveriesUseCase],
  exports: [ReplayEventsUseCase, ReplayDeliveriesUseCase],
})
export class EventsModule {}

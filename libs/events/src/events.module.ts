import { Module } from '@nestjs/common';
import { ReplayEventsUseCase } from './replay-events.use-case.js';

/** Operations on captured events, shared by the events CLI and the admin app. */
@Module({
  providers: [ReplayEventsUseCase],
  exports: [ReplayEventsUseCase],
})
export class EventsModule {}

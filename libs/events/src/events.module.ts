import { Module } from '@nestjs/common';
import { PurgeUseCase } from './purge.use-case.js';
import { ReconcileEventsUseCase } from './reconcile-events.use-case.js';
import { ReplayDeliveriesUseCase } from './replay-deliveries.use-case.js';
import { ReplayEventsUseCase } from './replay-events.use-case.js';

/** Operations on captured events and their deliveries, shared by the events CLI and the admin app. */
@Module({
  providers: [ReplayEventsUseCase, ReplayDeliveriesUseCase],
  exports: [ReplayEventsUseCase, ReplayDeliveriesUseCase],
})
export class EventsModule {}

/** Searching Square's Events API for events the inbox lacks (the worker's reconciler, `events backfill`); needs the reconcile config. */
@Module({
  providers: [ReconcileEventsUseCase],
  exports: [ReconcileEventsUseCase],
})
export class ReconcileModule {}

/** Retention and erasure (the worker's purge, `events purge`, `events erase`); needs the retention config. */
@Module({
  providers: [PurgeUseCase],
  exports: [PurgeUseCase],
})
export class RetentionModule {}

export { EventsModule, RetentionModule } from './events.module.js';
export { ReplayEventsUseCase } from './replay-events.use-case.js';
export type { ReplayResult } from './replay-events.use-case.js';
export { ReplayDeliveriesUseCase } from './replay-deliveries.use-case.js';
export type { DeliveryReplayResult } from './replay-deliveries.use-case.js';
export { ReconcileEventsUseCase, isEventsApiRefusal } from './reconcile-events.use-case.js';
export type { ScanResult } from './reconcile-events.use-case.js';
export { PURGE_BATCH, PurgeUseCase, noPurge } from './purge.use-case.js';

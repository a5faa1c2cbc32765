export { EventsModule, RetentionModule } from './events.module.js';
export { ReplayEventsUseCase } from './replay-events.use-case.js';
export type { ReplayResult } from './replay-events.use-case.js';
export { ReplayDeliveriesUseCase } from './replay-deliveries.use-case.js';
export type { DeliveryReplayResult } from './replay-deliveries.use-case.js';
export { ReconcileEventsUseCase, isEventsApiRefusal } from './reconcile-events.use-case.js';
export type { ScanResult } from './reconcile-events.use-case.js';
export { PURGE_BATCH, PurgeUseCase, noPurge } from './purge.use-case.js';
export type { PurgeResult } from './purge.use-case.js';
export { EraseUseCase } from './erase.use-case.js';
export type { ErasureResult } from './erase.use-case.js';
export { DestinationControlUseCase, logStateChange } from './destination-control.use-case.js';
export type { ControlResult, DestinationStatus, RetryNowResult } from './destination-control.use-case.js';
// The admin API's list parameters, checked the same way by the console, the API and the CLI.
export { single } from './query-params.js';
export { encodeCursor, parseListEventsQuery, parseReplayQuery } from './list-events.query.js';
export { parseListDeliveriesQuery } from './list-deliveries.query.js';

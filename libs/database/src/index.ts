export { DatabaseModule } from './database.module.js';
export { EVENT_SOURCES, EVENT_STATUSES, EventQueryRepository } from './event-query.repository.js';
export type {
  EventCursor,
  EventDetail,
  EventListFilter,
  EventOrigin,
  EventPage,
  EventStatus,
  EventSummary,
} from './event-query.repository.js';
export { EventStatusRepository } from './event-status.repository.js';
export type { DeadLetterFilter, DeadLetterInfo, ReplayReset } from './event-status.repository.js';
export { JobOutboxRepository } from './job-outbox.repository.js';
export { EventTraceRepository } from './event-trace.repository.js';
export type { EventTrace } from './event-trace.repository.js';
export { CommitRolledBackError, TransactionLeftError, inTransaction } from './transaction.js';
export { ADVISORY_LOCKS } from './locks.js';
export type { AdvisoryLockId } from './locks.js';
export { PeriodicLock } from './periodic-lock.js';
export { HandlerSqlRefusedError } from './handler-sql.js';
export type { HandlerSql, SqlResult } from './handler-sql.js';
export { PG_POOL, createPgPool, sessionUrl } from './pg-pool.js';
export type { PoolConfig } from './pg-pool.js';
export { findCapturedEvent } from './captured-event.query.js';
export type { CapturedEvent } from './captured-event.query.js';
export type { OutboxJob } from './job-outbox.repository.js';
export { EVENT_BATCHES, EventTransactions, TransactionOverError } from './transaction.js';
export { BatchFailedError, EventBatches } from './group-commit.js';
export type { EventTransaction } from './transaction.js';
export { STATUS, Statement, statement } from './sql.js';
export type { Queryable, UntypedRow } from './sql.js';
export { PrismaService } from './prisma.service.js';
export { UnstorablePayloadError, WebhookInboxRepository } from './webhook-inbox.repository.js';
export type { DeliveryOutcome, RecordDeliveryInput, RecordedDelivery } from './webhook-inbox.repository.js';
export { MIGRATION_TABLES, MigrationError, markRolledBack, migrate } from './migrations/migrator.js';
export type { MigrateResult, MigrationTable } from './migrations/migrator.js';
export { DELIVERY, ForwardDeliveriesRepository, isDeliveryId } from './forward-deliveries.repository.js';
export { ForwardBacklogRepository } from './forward-backlog.repository.js';
export type { AttemptResult, Delivery } from './forward-deliveries.repository.js';
export { ForwardDestinationsRepository } from './forward-destinations.repository.js';
export { ListenDestinationsRepository } from './listen-destinations.repository.js';
export type { ListenAttempt, ListenDestination } from './listen-destinations.repository.js';
export type { AttemptStats, DestinationCircuit } from './forward-destinations.repository.js';
export {
  DESTINATION_STATE,
  OPEN_AFTER_FAILURES,
  afterFailure,
  afterSuccess,
  paused,
  probeWaitMs,
  resumed,
  retriedNow,
} from './forward-circuit.js';
export type { Circuit, CircuitSettings } from './forward-circuit.js';
export { DELIVERY_STATUSES, DeliveryQueryRepository } from './delivery-query.repository.js';
export type {
  DeliveryDetail,
  DeliveryListFilter,
  DeliveryStatus,
  DeliverySummary,
  ForwardAttemptRow,
} from './delivery-query.repository.js';
export { MerchantTokensRepository, REVOKE_MERCHANT, TOKEN_STATUS } from './merchant-tokens.repository.js';
export type { StoredMerchantToken, TokenStatus } from './merchant-tokens.repository.js';
export { ReconcileRepository } from './reconcile.repository.js';
export type { LoggedEvent } from './reconcile.repository.js';
export { PURGE_CATEGORIES, RetentionRepository } from './retention.repository.js';
export { InboxPartitionsRepository } from './inbox-partitions.repository.js';
export type { InboxPartition } from './inbox-partitions.repository.js';
export type { PurgeCounts, PurgeCutoffs } from './retention.repository.js';
export { ErasureRepository, subjectSearch } from './erasure.repository.js';
export type { ErasureCounts, ErasureSubject, SubjectSearch } from './erasure.repository.js';
export { EventAttemptsRepository } from './event-attempts.repository.js';
export type { EventAttemptRecord, EventAttemptRow } from './event-attempts.repository.js';
export { ConsoleQueryRepository } from './console-query.repository.js';
export type {
  DeadLetterGroup,
  InvalidWebhookRow,
  MirroredObject,
  Overview,
  SellerRow,
} from './console-query.repository.js';
export {
  REJECTED_KEPT,
  RejectedDeliveriesRepository,
  latestRejectedDeliveries,
} from './rejected-deliveries.repository.js';
export type { RejectedDelivery } from './rejected-deliveries.repository.js';
export { CLAIM_HANDLER, countRerun, eventTypeLikePatterns, mirroredObject, rerunPage } from './handler-rerun.query.js';
export type { RerunEvent, RerunFilter } from './handler-rerun.query.js';
export { findEventOutcome } from './event-outcome.query.js';
export type { EventOutcome } from './event-outcome.query.js';

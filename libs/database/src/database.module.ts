import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type pg from 'pg';
import { DatabaseConfig } from '@app/config';
import { DeliveryQueryRepository } from './delivery-query.repository.js';
import { EventAttemptsRepository } from './event-attempts.repository.js';
import { ConsoleQueryRepository } from './console-query.repository.js';
import { EVENT_BATCHES, EventTransactions } from './transaction.js';
import { EventBatches } from './group-commit.js';
import { EventQueryRepository } from './event-query.repository.js';
import { EventStatusRepository } from './event-status.repository.js';
import { InboxPartitionsRepository } from './inbox-partitions.repository.js';
import { EventTraceRepository } from './event-trace.repository.js';
import { ForwardDeliveriesRepository } from './forward-deliveries.repository.js';
import { ForwardBacklogRepository } from './forward-backlog.repository.js';
import { ForwardDestinationsRepository } from './forward-destinations.repository.js';
import { JobOutboxRepository } from './job-outbox.repository.js';
import { ListenDestinationsRepository } from './listen-destinations.repository.js';
import { MerchantTokensRepository } from './merchant-tokens.repository.js';
import { PG_POOL, createPgPool } from './pg-pool.js';
import { RejectedDeliveriesRepository } from './rejected-deliveries.repository.js';
import { ReconcileRepository } from './reconcile.repository.js';
import { RetentionRepository } from './retention.repository.js';
import { ErasureRepository } from './erasure.repository.js';
import { PrismaService } from './prisma.service.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

/** Ends the pool in the last shutdown phase: work draining before it (active jobs) keeps its connections. */
@Injectable()
class PgPoolLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

const repositories = [
  WebhookInboxRepository,
  EventStatusRepository,
  EventTransactions,
  JobOutboxRepository,
  ForwardDeliveriesRepository,
  ForwardBacklogRepository,
  ForwardDestinationsRepository,
  MerchantTokensRepository,
  ReconcileRepository,
  RetentionRepository,
  ErasureRepository,
  EventAttemptsRepository,
  RejectedDeliveriesRepository,
  ListenDestinationsRepository,
  EventTraceRepository,
  InboxPartitionsRepository,
];

/**
 * The process' one Postgres pool and its repositories (per-event SQL, see docs/ARCHITECTURE.md).
 * `prisma: true` adds the Prisma client and the admin queries that use it (the admin app only: the
 * other apps never load Prisma's client). Needs DatabaseConfig from the global ConfigModule.
 */
@Global()
@Module({})
export class DatabaseModule {
  /**
   * `connectTimeoutMs`: how long opening a connection may take (the ingress passes its ack budget's share).
   * `eventBatchMax` (the worker's SQUARE_EVENT_BATCH_MAX): above 1, event transactions are group-committed;
   * `eventBatchSlowMs` (SQUARE_EVENT_BATCH_SLOW_MS): when a batch counts as slow (group-commit.ts).
   */
  static forRoot(
    options: { connectTimeoutMs?: number; prisma?: boolean; eventBatchMax?: number; eventBatchSlowMs?: number } = {},
  ): DynamicModule {
    const { eventBatchMax: maxBatch = 1, eventBatchSlowMs: slowMs = 100 } = options;
    const batches: Provider = {
      provide: EVENT_BATCHES,
      inject: [PG_POOL, DatabaseConfig],
      useFactory: (pool: pg.Pool, config: DatabaseConfig) =>
        maxBatch > 1 ? new EventBatches(pool, { maxBatch, slowMs, poolSize: config.poolSize }) : undefined,
    };
    const pool: Provider = {
      provide: PG_POOL,
      inject: [DatabaseConfig],
      useFactory: (c: DatabaseConfig) => createPgPool(c, options.connectTimeoutMs),
    };
    const admin = options.prisma
      ? [PrismaService, EventQueryRepository, DeliveryQueryRepository, ConsoleQueryRepository]
      : [];
    return {
      module: DatabaseModule,
      providers: [pool, batches, PgPoolLifecycle, ...repositories, ...admin],
      exports: [PG_POOL, ...repositories, ...admin],
    };
  }
}

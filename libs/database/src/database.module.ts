import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { DatabaseConfig } from '@app/config';
import { EventQueryRepository } from './event-query.repository.js';
import { EventStatusRepository } from './event-status.repository.js';
import { JobOutboxRepository } from './job-outbox.repository.js';
import { PG_POOL, createPgPool } from './pg-pool.js';
import { PrismaService } from './prisma.service.js';
import { SquareEffectsRepository } from './square-effects.repository.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

const repositories = [PrismaService, WebhookInboxRepository, EventStatusRepository, EventQueryRepository, SquareEffectsRepository, JobOutboxRepository];

/** Needs DatabaseConfig from the global ConfigModule. */
@Global()
@Module({})
export class DatabaseModule {
  /** `connectTimeoutMs`: how long opening a connection may take (the ingress passes its ack budget's share). */
  static forRoot(options: { connectTimeoutMs?: number } = {}): DynamicModule {
    const pool: Provider = { provide: PG_POOL, inject: [DatabaseConfig], useFactory: (c: DatabaseConfig) => createPgPool(c, options.connectTimeoutMs) };
    const providers = [pool, ...repositories];
    return { module: DatabaseModule, providers, exports: providers };
  }
}

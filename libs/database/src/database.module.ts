import { Global, Module, Provider } from '@nestjs/common';
import { DatabaseConfig } from '@app/config';
import { EventQueryRepository } from './event-query.repository.js';
import { EventStatusRepository } from './event-status.repository.js';
import { JobOutboxRepository } from './job-outbox.repository.js';
import { PG_POOL, createPgPool } from './pg-pool.js';
import { PrismaService } from './prisma.service.js';
import { SquareEffectsRepository } from './square-effects.repository.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

const pool: Provider = { provide: PG_POOL, inject: [DatabaseConfig], useFactory: createPgPool };
const providers = [pool, PrismaService, WebhookInboxRepository, EventStatusRepository, EventQueryRepository, SquareEffectsRepository, JobOutboxRepository];

/** Needs DatabaseConfig from the global ConfigModule. */
@Global()
@Module({ providers, exports: providers })
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { EventQueryRepository } from './event-query.repository.js';
import { EventStatusRepository } from './event-status.repository.js';
import { PrismaService } from './prisma.service.js';
import { SquareEffectsRepository } from './square-effects.repository.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

/** Needs DatabaseConfig from the global ConfigModule. */
@Global()
@Module({
  providers: [PrismaService, WebhookInboxRepository, EventStatusRepository, EventQueryRepository, SquareEffectsRepository],
  exports: [PrismaService, WebhookInboxRepository, EventStatusRepository, EventQueryRepository, SquareEffectsRepository],
})
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { EventStatusRepository } from './event-status.repository.js';
import { PrismaService } from './prisma.service.js';
import { SquareEffectsRepository } from './square-effects.repository.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

/** Needs DatabaseConfig from the global ConfigModule. */
@Global()
@Module({
  providers: [PrismaService, WebhookInboxRepository, EventStatusRepository, SquareEffectsRepository],
  exports: [PrismaService, WebhookInboxRepository, EventStatusRepository, SquareEffectsRepository],
})
export class DatabaseModule {}

import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';

/** Needs DatabaseConfig from the global ConfigModule. */
@Global()
@Module({
  providers: [PrismaService, WebhookInboxRepository],
  exports: [PrismaService, WebhookInboxRepository],
})
export class DatabaseModule {}

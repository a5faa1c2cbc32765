export { DatabaseModule } from './database.module.js';
export { PrismaService } from './prisma.service.js';
export { UnstorablePayloadError, WebhookInboxRepository, sqlState } from './webhook-inbox.repository.js';
export type { DeliveryOutcome, RecordDeliveryInput } from './webhook-inbox.repository.js';
export { MigrationError, markRolledBack, migrate, readLocalMigrations } from './migrations/migrator.js';
export type { LocalMigration, MigrateResult } from './migrations/migrator.js';

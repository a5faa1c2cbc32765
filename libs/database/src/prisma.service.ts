import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseConfig } from '@app/config';
import { PrismaClient } from './generated/prisma/client.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly logger = new Logger(PrismaService.name);

  constructor(config: DatabaseConfig) {
    super({
      adapter: new PrismaPg(
        {
          connectionString: config.url,
          max: config.poolSize,
          // Fail fast when Postgres is unreachable: the ingress must answer 503 within 2 s.
          connectionTimeoutMillis: 1000,
          idleTimeoutMillis: 30_000,
        },
        {
          onPoolError: (err) => this.logger.warn(`idle Postgres connection failed: ${err.message}`),
          onConnectionError: (err) => this.logger.warn(`Postgres connection failed: ${err.message}`),
        },
      ),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

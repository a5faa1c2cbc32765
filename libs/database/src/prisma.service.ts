import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { errorMessage } from '@app/observability';
import { PrismaClient } from './generated/prisma/client.js';
import { PG_POOL } from './pg-pool.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);

  constructor(@Inject(PG_POOL) pool: pg.Pool) {
    super({
      adapter: new PrismaPg(pool, {
        onConnectionError: (err) => this.logger.warn('Postgres connection failed', { error: errorMessage(err) }),
      }),
    });
  }

  // The pool is not Prisma's (PgPoolLifecycle ends it): disconnecting leaves it open.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

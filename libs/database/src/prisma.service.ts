import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { errorMessage } from '@app/observability';
import { PrismaClient } from './generated/prisma/client.js';
import { PG_POOL } from './pg-pool.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {
    super({
      adapter: new PrismaPg(pool, {
        onConnectionError: (err) => this.logger.warn('Postgres connection failed', { error: errorMessage(err) }),
      }),
    });
  }

  // The last shutdown phase: work still draining in beforeApplicationShutdown (the worker's
  // active jobs) keeps its connections until then.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}

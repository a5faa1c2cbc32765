import {
  Controller,
  Get,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  Optional,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import type pg from 'pg';
import { DatabaseConfig } from '@app/config';
import { PG_POOL } from '@app/database';
import { errorMessage, withoutCredentials } from '@app/observability';
import { REDIS_PROBE, type RedisProbe } from '@app/queue';
import { withTimeout } from '@app/timeouts';

const CHECK_TIMEOUT_MS = 1000;

/** What /health/ready says when Postgres does not answer: anyone who can reach the port reads it. */
export const DATABASE_UNAVAILABLE = 'database unavailable';

/**
 * Details a part of an app adds to /health/ready under its name (e.g. the worker's reconciler):
 * reported as "up" with the details, so that they inform without ever making the app unready.
 */
@Injectable()
export class ReadinessDetails {
  private readonly sources = new Map<string, () => Record<string, unknown>>();

  add(name: string, details: () => Record<string, unknown>): void {
    this.sources.set(name, details);
  }

  entries(): Array<[string, Record<string, unknown>]> {
    return [...this.sources].map(([name, details]) => [name, details()]);
  }
}

/**
 * GET /health/live: the process answers. GET /health/ready: Postgres answers too, and Redis in the
 * apps that use it (the worker and the admin app; the ingress has no Redis).
 */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);
  /** Whether the last probe found Postgres down: the details are logged once an outage, not every probe. */
  private databaseDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly database: DatabaseConfig,
    @Optional() @Inject(REDIS_PROBE) private readonly redis: RedisProbe | undefined,
    private readonly details: ReadinessDetails,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    try {
      const redis = this.redis;
      // The answer names no host, port or database; the log names the variable and where it points
      // (never its credentials), once an outage.
      const postgres = async () => {
        try {
          // Within the check's own bound, so that a Postgres that never answers reads the same.
          await withTimeout(this.pool.query('SELECT 1'), CHECK_TIMEOUT_MS);
        } catch (err) {
          if (!this.databaseDown)
            this.logger.warn(
              `readiness: DATABASE_URL (${withoutCredentials(this.database.url)}) is unreachable: ${errorMessage(err)}`,
            );
          this.databaseDown = true;
          throw new Error(DATABASE_UNAVAILABLE, { cause: err });
        }
        if (this.databaseDown) this.logger.log('readiness: the database answers again');
        this.databaseDown = false;
      };
      return await this.health.check([
        () => this.indicators.check('postgres').attempt(postgres),
        ...(redis
          ? [
              () =>
                this.indicators
                  .check('redis')
                  .attempt(() => redis.ping())
                  .withTimeout(CHECK_TIMEOUT_MS),
            ]
          : []),
        ...this.details.entries().map(
          ([name, detail]) =>
            () =>
              this.indicators.check(name).up(detail),
        ),
      ]);
    } catch (err) {
      // 503 with terminus' body, which names the failing dependency under "error".
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return err.getResponse();
    }
  }
}

import { Controller, Get, HttpStatus, Inject, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { PrismaService } from '@app/database';
import { PRODUCER_REDIS } from '@app/queue';

const CHECK_TIMEOUT_MS = 1000;

/**
 * GET /health/live: the process answers. GET /health/ready: Postgres answers too, and Redis in the
 * apps that use it (the worker and the admin app; the ingress has no Redis).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    @Optional() @Inject(PRODUCER_REDIS) private readonly redis: Redis | undefined,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    try {
      const redis = this.redis;
      return await this.health.check([
        () => this.indicators.check('postgres').attempt(async () => { await this.prisma.$queryRaw`SELECT 1`; }).withTimeout(CHECK_TIMEOUT_MS),
        ...(redis ? [() => this.indicators.check('redis').attempt(async () => { await redis.ping(); }).withTimeout(CHECK_TIMEOUT_MS)] : []),
      ]);
    } catch (err) {
      // 503 with terminus' body, which names the failing dependency under "error".
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return err.getResponse();
    }
  }
}

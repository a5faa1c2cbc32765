import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '@app/config';
import { withoutCredentials } from '@app/observability';

/**
 * Says once, in one line, that Redis is unreachable — naming REDIS_URL and where it points, and what
 * still works — and once when it is back, instead of an ECONNREFUSED line per retry of every
 * connection. The last error is kept for the readiness check.
 */
export class RedisConnectionReport {
  private readonly logger = new Logger('Redis');
  private down = false;
  lastError: string | undefined;

  constructor(
    private readonly config: RedisConfig,
    private readonly impact: string,
  ) {}

  /** A connection of this app, reported through this object. */
  connect(options: RedisOptions): Redis {
    const redis = new Redis(this.config.url, options);
    redis.on('error', (err: Error) => this.failed(err));
    redis.on('ready', () => this.recovered());
    return redis;
  }

  /** For errors BullMQ reports on its own connections: connection errors are said once, here. */
  isConnectionError(err: unknown): boolean {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : '';
    return (typeof code === 'string' && /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH)/.test(code))
      || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|connect ETIMEDOUT/.test(message);
  }

  /** False from a connection error until a connection is ready again: callers may skip Redis at once. */
  get reachable(): boolean {
    return !this.down;
  }

  describe(): string {
    return `REDIS_URL (${withoutCredentials(this.config.url)}) is unreachable${this.lastError ? `: ${this.lastError}` : ''}`;
  }

  failed(err: Error): void {
    this.lastError = err.message || (err as { code?: string }).code || err.name;
    if (this.down) return;
    this.down = true;
    this.logger.warn(`${this.describe()}. ${this.impact}`);
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.lastError = undefined;
    this.logger.log(`Redis is reachable again (REDIS_URL ${withoutCredentials(this.config.url)})`);
  }
}

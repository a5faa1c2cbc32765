import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MerchantsConfig } from '@app/config';
import { ADVISORY_LOCKS, MerchantTokensRepository, PeriodicLock } from '@app/database';
import { MerchantTokens } from '@app/merchants';
import { tokenRefreshes } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { SquareApiClient, SquareApiError } from '@app/square-api';
import { PeriodicTask } from './periodic-task.js';

const DAY_MS = 24 * 3600 * 1000;
// Square's access tokens last 30 days; refreshing at most every 7 keeps three weeks of margin for
// a refresh that keeps failing (it is retried every interval, and visible in the metrics).
const REFRESH_WHEN_EXPIRING_WITHIN_MS = 23 * DAY_MS;
const BATCH = 100;

export interface RefreshResult {
  refreshed: number;
  failed: number;
}

/**
 * Refreshes sellers' access tokens ahead of expiry with their refresh tokens (OAuth ObtainToken),
 * every SQUARE_TOKEN_REFRESH_INTERVAL_MS, one worker at a time. A refresh Square refuses (400/401:
 * the grant is gone) marks the merchant needs_reauth; any other failure is retried next time.
 */
@Injectable()
export class TokenRefreshService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TokenRefreshService.name);
  private readonly task = new PeriodicTask(
    () => this.refreshOnce(),
    (err) => this.logger.warn('token refresh failed; will try again', { error: errorMessage(err) }),
  );

  constructor(
    private readonly tokens: MerchantTokens,
    private readonly repository: MerchantTokensRepository,
    private readonly square: SquareApiClient,
    private readonly config: MerchantsConfig,
    private readonly lock: PeriodicLock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.tokens.enabled) return;
    if (!this.config.applicationId || !this.config.applicationSecret) {
      this.logger.warn(
        'token refresh is off: set SQUARE_APPLICATION_ID and SQUARE_APPLICATION_SECRET, or stored tokens expire after 30 days',
      );
      return;
    }
    this.task.start(this.config.refreshIntervalMs, 0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; concurrent calls share the pass in progress. */
  refresh(): Promise<RefreshResult> {
    return this.task.run();
  }

  private async refreshOnce(): Promise<RefreshResult> {
    const result: RefreshResult = { refreshed: 0, failed: 0 };
    // Held across Square's answers, without a transaction open.
    await this.lock.run(ADVISORY_LOCKS.tokenRefresh, async () => {
      for (const row of await this.repository.dueForRefresh(
        new Date(Date.now() + REFRESH_WHEN_EXPIRING_WITHIN_MS),
        BATCH,
      )) {
        if (await this.refreshOne(row)) result.refreshed++;
        else result.failed++;
      }
    });
    if (result.refreshed + result.failed > 0) this.logger.log('tokens refreshed', { ...result });
    return result;
  }

  private async refreshOne(
    row: Awaited<ReturnType<MerchantTokensRepository['dueForRefresh']>>[number],
  ): Promise<boolean> {
    try {
      const refreshToken = this.tokens.refreshTokenOf(row);
      if (!refreshToken) return false;
      const obtained = await this.square.obtainToken({
        clientId: this.config.applicationId!,
        clientSecret: this.config.applicationSecret!,
        refreshToken,
      });
      await this.tokens.saveRefreshed(row, {
        accessToken: obtained.accessToken,
        refreshToken: obtained.refreshToken ?? refreshToken,
        expiresAt: obtained.expiresAt,
      });
      tokenRefreshes.inc({ outcome: 'refreshed' });
      return true;
    } catch (err) {
      const refused = err instanceof SquareApiError && (err.status === 400 || err.status === 401);
      const error = errorMessage(err);
      await this.repository.refreshFailed(row.merchantId, error, refused).catch(() => undefined);
      tokenRefreshes.inc({ outcome: 'failed' });
      this.logger.warn(
        refused
          ? 'Square refused to refresh the token; the seller must authorize again'
          : 'token refresh failed; will try again',
        {
          merchantId: row.merchantId,
          error,
          expiresAt: row.expiresAt?.toISOString() ?? null,
        },
      );
      return false;
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { SquareSubscriptionConfig } from '@app/config';
import { PG_POOL, findCapturedEvent } from '@app/database';
import { ReadinessDetails } from '@app/health';
import { canaryIntervalSeconds, canaryLastSuccess } from '@app/metrics';
import { errorMessage } from '@app/observability';
import { SquareApiClient, WebhookSettingsApi } from '@app/square-api';
import { PeriodicTask } from './periodic-task.js';

// How long one canary waits for its notification in the inbox (at most its interval).
const MAX_WAIT_MS = 60_000;

/**
 * Every SQUARE_CANARY_INTERVAL_MS (off by default): Square sends its test notification to our
 * subscription's URL; once the ingress has captured it (its event id in the inbox),
 * square_canary_last_success_timestamp moves. The alert SquareCanaryStale reads it. The canary's
 * start counts as a success, so that a worker just started has two intervals to prove the path.
 */
@Injectable()
export class SquareCanaryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SquareCanaryService.name);
  private readonly task = new PeriodicTask(
    () => this.send(),
    (err) => this.failed(err),
  );
  private lastProblem: string | undefined;
  status: { state: 'off' | 'ok' | 'failing'; detail: string; lastSuccessAt?: string } = {
    state: 'off',
    detail: 'SQUARE_CANARY_INTERVAL_MS=0',
  };

  constructor(
    private readonly api: SquareApiClient,
    private readonly config: SquareSubscriptionConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    readiness: ReadinessDetails,
  ) {
    readiness.add('squareCanary', () => ({ ...this.status }));
  }

  onApplicationBootstrap(): void {
    canaryIntervalSeconds.set(0);
    if (this.config.canaryIntervalMs === 0) return;
    if (this.config.accessToken === undefined || this.config.notificationUrl === undefined) {
      this.status = {
        state: 'off',
        detail: "needs SQUARE_ACCESS_TOKEN (the application's own) and SQUARE_WEBHOOK_NOTIFICATION_URL",
      };
      this.logger.warn(`the canary is off: ${this.status.detail}`);
      return;
    }
    canaryIntervalSeconds.set(this.config.canaryIntervalMs / 1000);
    canaryLastSuccess.set(Date.now() / 1000);
    this.status = { state: 'ok', detail: 'first canary pending' };
    this.task.start(this.config.canaryIntervalMs, 0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One canary: true when the notification came back through the ingress. */
  run(): Promise<boolean> {
    return this.task.run();
  }

  private async send(): Promise<boolean> {
    const api = new WebhookSettingsApi(this.api, this.config.accessToken!);
    const url = this.config.notificationUrl!;
    const subscription = await api.subscriptionFor(url);
    if (!subscription)
      throw new Error(`Square has no webhook subscription for ${url} (npm run square -- subscriptions sync)`);
    const result = await api.test(subscription.id);
    if (result.statusCode === undefined) throw new Error(`Square could not reach ${url}`);
    if (result.statusCode < 200 || result.statusCode >= 300)
      throw new Error(`${url} answered Square's test notification with ${result.statusCode}`);
    if (result.eventId === undefined) throw new Error('Square sent a test notification without event_id');
    const deadline = Date.now() + Math.min(this.config.canaryIntervalMs, MAX_WAIT_MS);
    while ((await findCapturedEvent(this.pool, result.eventId)) === undefined) {
      if (Date.now() >= deadline)
        throw new Error(
          `Square's test notification was answered ${result.statusCode} but did not reach the inbox in time (is DATABASE_URL the ingress's database?)`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
    canaryLastSuccess.set(Date.now() / 1000);
    this.status = {
      state: 'ok',
      detail: `test notification ${result.eventId} captured`,
      lastSuccessAt: new Date().toISOString(),
    };
    if (this.lastProblem) this.logger.log('the canary works again', { previously: this.lastProblem });
    this.lastProblem = undefined;
    return true;
  }

  /** Said once per kind of problem, not every interval. */
  private failed(err: unknown): void {
    const problem = `the canary failed: ${errorMessage(err)}`;
    this.status = { ...this.status, state: 'failing', detail: problem };
    if (problem !== this.lastProblem) this.logger.warn(problem);
    this.lastProblem = problem;
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HandlersConfig, SquareSubscriptionConfig } from '@app/config';
import type { LoadedHandler } from '@app/handlers';
import { ReadinessDetails } from '@app/health';
import { errorMessage } from '@app/observability';
import { consumedEventTypes, planSubscription } from '@app/square';
import { SquareApiClient, WebhookSettingsApi } from '@app/square-api';
import { ForwardDestinations } from '../forwarding/forward-destinations.js';
import { TEAM_HANDLERS } from '../handlers/handler-registry.js';

const FIX = 'npm run square -- subscriptions sync';

/** What /health/ready says of Square's subscription (a detail: it never makes the worker unready). */
export interface SubscriptionCheck {
  state: 'off' | 'checking' | 'ok' | 'gap' | 'failing';
  detail: string;
  missingEventTypes?: string[];
}

/**
 * At startup, when SQUARE_ACCESS_TOKEN and SQUARE_WEBHOOK_NOTIFICATION_URL are set: Square's
 * subscription for our URL exists, is enabled, uses SQUARE_API_VERSION and lists every type the
 * mirror, the handlers and the destinations consume. A gap is one warning naming what is missing
 * and the command that fixes it. In the background: Square being slow never delays the start.
 */
@Injectable()
export class SubscriptionCheckService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SubscriptionCheckService.name);
  status: SubscriptionCheck = { state: 'off', detail: 'not started' };
  private running: Promise<SubscriptionCheck> | undefined;

  constructor(
    private readonly api: SquareApiClient,
    private readonly config: SquareSubscriptionConfig,
    private readonly handlers: HandlersConfig,
    @Inject(TEAM_HANDLERS) private readonly team: readonly LoadedHandler[],
    private readonly destinations: ForwardDestinations,
    readiness: ReadinessDetails,
  ) {
    readiness.add('squareSubscription', () => ({ ...this.status }));
  }

  onApplicationBootstrap(): void {
    const { accessToken, notificationUrl } = this.config;
    if (accessToken === undefined || notificationUrl === undefined) {
      this.status = {
        state: 'off',
        detail: "needs SQUARE_ACCESS_TOKEN (the application's own) and SQUARE_WEBHOOK_NOTIFICATION_URL",
      };
      return;
    }
    this.status = { state: 'checking', detail: 'reading the subscription' };
    this.running = this.check(new WebhookSettingsApi(this.api, accessToken), notificationUrl);
  }

  /** The startup check's result (for tests and the canary: it resolves, never rejects). */
  settled(): Promise<SubscriptionCheck> {
    return this.running ?? Promise.resolve(this.status);
  }

  private async check(api: WebhookSettingsApi, url: string): Promise<SubscriptionCheck> {
    try {
      const current = await api.subscriptionFor(url);
      const needed = consumedEventTypes({
        mirror: this.handlers.mirrorEventTypes,
        handlers: this.team.map((t) => t.handler),
        destinations: this.destinations.all(),
      });
      const plan = planSubscription(current, { eventTypes: needed, apiVersion: this.config.apiVersion });
      const gaps: string[] = [];
      if (!current) gaps.push(`Square has no webhook subscription for ${url}`);
      else {
        if (!current.enabled) gaps.push(`the subscription ${current.id} for ${url} is disabled`);
        if (plan.apiVersion)
          gaps.push(
            `it uses api version ${current.apiVersion || '(none)'}, not SQUARE_API_VERSION ${this.config.apiVersion}`,
          );
        if (plan.added.length > 0)
          gaps.push(`it lacks ${plan.added.length} consumed event type(s): ${plan.added.join(', ')}`);
      }
      if (gaps.length === 0) {
        this.status = {
          state: 'ok',
          detail: `subscription ${current!.id}: enabled, api version ${current!.apiVersion}, every one of ${needed.length} consumed event types`,
        };
      } else {
        this.status = {
          state: 'gap',
          detail: `${gaps.join('; ')}: run ${FIX}`,
          ...(plan.added.length > 0 && current ? { missingEventTypes: plan.added } : {}),
        };
        this.logger.warn(
          `Square's webhook subscription does not deliver what this pipeline consumes: ${this.status.detail}`,
        );
      }
    } catch (err) {
      this.status = {
        state: 'failing',
        detail: `cannot read Square's webhook subscriptions (${errorMessage(err)}); check SQUARE_ACCESS_TOKEN`,
      };
      this.logger.warn(this.status.detail);
    }
    return this.status;
  }
}

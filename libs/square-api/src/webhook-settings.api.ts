import { randomUUID } from 'node:crypto';
import type { Square } from 'square';
import type { SquareApiClient } from './square-api.client.js';

// The application's own settings at Square, through the official SDK: its webhook subscriptions
// (list, create, update, signature key, test) and the Events API switch. All with the
// application's access token; failures are SquareApiErrors like every other call.

/** A webhook subscription as this pipeline reads it; signatureKey only where Square returns it. */
export interface WebhookSubscriptionState {
  id: string;
  name: string;
  enabled: boolean;
  eventTypes: string[];
  notificationUrl: string;
  apiVersion: string;
  signatureKey?: string;
}

export type SubscriptionFields = Pick<
  WebhookSubscriptionState,
  'name' | 'enabled' | 'eventTypes' | 'notificationUrl' | 'apiVersion'
>;

/** What TestWebhookSubscription said: the notification URL's answer (none: unreachable) and the body sent. */
export interface SubscriptionTest {
  statusCode: number | undefined;
  eventId: string | undefined;
  payload: Record<string, unknown>;
}

export class WebhookSettingsApi {
  constructor(
    private readonly api: SquareApiClient,
    private readonly token: string,
  ) {}

  /** Every subscription, disabled ones included. */
  async listSubscriptions(): Promise<WebhookSubscriptionState[]> {
    const page = await this.api.request(
      'webhooks.subscriptions.list',
      'GET /v2/webhooks/subscriptions',
      this.token,
      (c) => c.webhooks.subscriptions.list({ includeDisabled: true }),
    );
    const all: WebhookSubscriptionState[] = [];
    for await (const subscription of page) all.push(state(subscription));
    return all;
  }

  /** The subscription whose notification URL is exactly `url` (Square signs over those characters). */
  async subscriptionFor(url: string): Promise<WebhookSubscriptionState | undefined> {
    return (await this.listSubscriptions()).find((s) => s.notificationUrl === url);
  }

  async retrieveSubscription(id: string): Promise<WebhookSubscriptionState> {
    const response = await this.api.request(
      'webhooks.subscriptions.get',
      `GET /v2/webhooks/subscriptions/${id}`,
      this.token,
      (c) => c.webhooks.subscriptions.get({ subscriptionId: id }),
    );
    return state(response.subscription ?? {});
  }

  async createSubscription(fields: SubscriptionFields): Promise<WebhookSubscriptionState> {
    const response = await this.api.request(
      'webhooks.subscriptions.create',
      'POST /v2/webhooks/subscriptions',
      this.token,
      (c) => c.webhooks.subscriptions.create({ idempotencyKey: randomUUID(), subscription: { ...fields } }),
    );
    return state(response.subscription ?? {});
  }

  async updateSubscription(id: string, fields: Partial<SubscriptionFields>): Promise<WebhookSubscriptionState> {
    const response = await this.api.request(
      'webhooks.subscriptions.update',
      `PUT /v2/webhooks/subscriptions/${id}`,
      this.token,
      (c) => c.webhooks.subscriptions.update({ subscriptionId: id, subscription: { ...fields } }),
    );
    return state(response.subscription ?? {});
  }

  /** A new signature key; Square signs with it from now on. */
  async rotateSignatureKey(id: string): Promise<string> {
    const response = await this.api.request(
      'webhooks.subscriptions.updateSignatureKey',
      `POST /v2/webhooks/subscriptions/${id}/signature-key`,
      this.token,
      (c) => c.webhooks.subscriptions.updateSignatureKey({ subscriptionId: id, idempotencyKey: randomUUID() }),
    );
    if (!response.signatureKey)
      throw new Error(`POST /v2/webhooks/subscriptions/${id}/signature-key returned no signature key`);
    return response.signatureKey;
  }

  /** Square sends a test notification to the subscription's URL and says what the URL answered. */
  async test(id: string): Promise<SubscriptionTest> {
    const response = await this.api.request(
      'webhooks.subscriptions.test',
      `POST /v2/webhooks/subscriptions/${id}/test`,
      this.token,
      (c) => c.webhooks.subscriptions.test({ subscriptionId: id }),
    );
    const result = response.subscriptionTestResult;
    const payload = result?.payload ?? response.payload ?? {};
    return {
      statusCode: result?.statusCode ?? response.statusCode ?? undefined,
      eventId: typeof payload.event_id === 'string' ? payload.event_id : undefined,
      payload,
    };
  }

  /** Square keeps the application's events searchable (SearchEvents) from now on, not before. */
  async enableEvents(): Promise<void> {
    await this.api.request('events.enable', 'PUT /v2/events/enable', this.token, (c) => c.events.enableEvents());
  }
}

function state(s: Square.WebhookSubscription): WebhookSubscriptionState {
  return {
    id: s.id ?? '',
    name: s.name ?? '',
    enabled: s.enabled ?? false,
    eventTypes: [...(s.eventTypes ?? [])].sort(),
    notificationUrl: s.notificationUrl ?? '',
    apiVersion: s.apiVersion ?? '',
    ...(s.signatureKey ? { signatureKey: s.signatureKey } : {}),
  };
}

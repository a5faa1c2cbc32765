import { randomBytes, randomUUID } from 'node:crypto';
import { EVENT_CATALOG, computeSquareSignature } from '@app/square';
import type { JsonObject } from './fake-objects.js';

// Square's Webhook Subscriptions API (/v2/webhooks/subscriptions…, /v2/webhooks/event-types) as the
// fake Square API keeps it: snake_case on the wire, as the official SDK expects. A test notification
// is really delivered: POSTed to the subscription's notification URL, signed as Square signs
// (HMAC-SHA256 of notification URL + body, base64, x-square-hmacsha256-signature), before the
// answer, which carries the receiver's status code as Square's does.
//
// Fake-only: Square refuses a notification URL that is not https (400, INVALID_VALUE); the fake
// also accepts http:// for loopback hosts (127.0.0.1, localhost, [::1]), so that tests and local
// runs can point a subscription at an ingress on this machine.

export interface FakeSubscription {
  id: string;
  name: string;
  enabled: boolean;
  event_types: string[];
  notification_url: string;
  api_version: string;
  signature_key: string;
  created_at: string;
  updated_at: string;
}

/** What one test notification did: the body sent and the receiver's answer (undefined: unreachable). */
export interface FakeTestDelivery {
  subscriptionId: string;
  eventId: string;
  status: number | undefined;
}

type Answer = { status: number; body: JsonObject };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;
const DELIVERY_TIMEOUT_MS = 10_000;

export class FakeWebhookSubscriptions {
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly testDeliveries: FakeTestDelivery[] = [];
  /** The merchant_id of the notifications "Square" sends. */
  merchantId = 'ML7Q2XK4ZP1N9';
  /** Every type of the catalog is "introduced" at this version (ListWebhookEventTypes' metadata). */
  catalogVersion = '2026-09-16';

  /** The answer for a webhooks route, or undefined when `path` is not one. */
  async route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: () => Promise<JsonObject>,
  ): Promise<Answer | undefined> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v2' || parts[1] !== 'webhooks') return undefined;
    if (parts[2] === 'event-types' && parts.length === 3 && method === 'GET') return this.eventTypes();
    if (parts[2] !== 'subscriptions') return undefined;
    const [id, action] = [parts[3], parts[4]];
    if (id === undefined) {
      if (method === 'GET') return this.list(query);
      if (method === 'POST') return this.create(await body());
      return undefined;
    }
    const subscription = this.subscriptions.get(id);
    if (!subscription) return error(404, 'NOT_FOUND', `Webhook subscription ${id} not found.`);
    if (action === undefined && method === 'GET') return ok({ subscription: { ...subscription } });
    if (action === undefined && method === 'PUT') return this.update(subscription, await body());
    if (action === undefined && method === 'DELETE') {
      this.subscriptions.delete(id);
      return ok({});
    }
    if (action === 'signature-key' && method === 'POST') {
      this.touch(subscription, { signature_key: newSignatureKey() });
      return ok({ signature_key: subscription.signature_key });
    }
    if (action === 'test' && method === 'POST') return this.test(subscription, await body());
    return undefined;
  }

  /** POSTs a notification body to the subscription's URL, signed with its current key. */
  async deliver(subscription: FakeSubscription, body: Buffer): Promise<number | undefined> {
    const headers = {
      'content-type': 'application/json',
      'x-square-hmacsha256-signature': computeSquareSignature(
        'sha256',
        subscription.signature_key,
        subscription.notification_url,
        body,
      ),
      'square-environment': 'Sandbox',
      'square-initial-delivery-timestamp': new Date().toISOString(),
      'square-retry-number': '0',
    };
    try {
      const res = await fetch(subscription.notification_url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return undefined;
    }
  }

  private eventTypes(): Answer {
    const types = Object.keys(EVENT_CATALOG).sort();
    return ok({
      event_types: types,
      metadata: types.map((t) => ({
        event_type: t,
        api_version_introduced: this.catalogVersion,
        release_status: 'PUBLIC',
      })),
    });
  }

  private list(query: URLSearchParams): Answer {
    const includeDisabled = query.get('include_disabled') === 'true';
    const sign = query.get('sort_order') === 'DESC' ? -1 : 1;
    const all = [...this.subscriptions.values()]
      .filter((s) => includeDisabled || s.enabled)
      .sort((a, b) => sign * a.created_at.localeCompare(b.created_at))
      // Square leaves the signature key out of a list.
      .map(({ signature_key: _, ...rest }) => rest);
    const start = Number(query.get('cursor') ?? 0);
    const limit = Math.min(Number(query.get('limit') ?? 100), 100);
    const page = all.slice(start, start + limit);
    return ok({ subscriptions: page, ...(start + limit < all.length ? { cursor: String(start + limit) } : {}) });
  }

  private create(body: JsonObject): Answer {
    const given = (body.subscription ?? {}) as Partial<FakeSubscription>;
    const problem = this.invalid(given, true);
    if (problem) return problem;
    const now = new Date().toISOString();
    const subscription: FakeSubscription = {
      id: `wbhk_${randomUUID().replaceAll('-', '')}`,
      name: given.name ?? '',
      enabled: given.enabled ?? true,
      event_types: [...(given.event_types ?? [])],
      notification_url: given.notification_url!,
      api_version: given.api_version ?? this.catalogVersion,
      signature_key: newSignatureKey(),
      created_at: now,
      updated_at: now,
    };
    this.subscriptions.set(subscription.id, subscription);
    return ok({ subscription: { ...subscription } });
  }

  private update(subscription: FakeSubscription, body: JsonObject): Answer {
    const given = (body.subscription ?? {}) as Partial<FakeSubscription>;
    const problem = this.invalid(given, false);
    if (problem) return problem;
    const changes: Partial<FakeSubscription> = {};
    for (const key of ['name', 'enabled', 'event_types', 'notification_url', 'api_version'] as const) {
      if (given[key] !== undefined && given[key] !== null) Object.assign(changes, { [key]: given[key] });
    }
    this.touch(subscription, changes);
    return ok({ subscription: { ...subscription } });
  }

  private async test(subscription: FakeSubscription, body: JsonObject): Promise<Answer> {
    const eventType = typeof body.event_type === 'string' ? body.event_type : undefined;
    if (eventType !== undefined && !subscription.event_types.includes(eventType)) {
      return error(
        400,
        'INVALID_VALUE',
        `The event type ${eventType} is not one of the subscription's event types.`,
        'event_type',
      );
    }
    const now = new Date().toISOString();
    const payload = {
      merchant_id: this.merchantId,
      type: 'webhooks.test_notification',
      event_id: randomUUID(),
      created_at: now,
      data: { type: 'webhooks', id: randomUUID() },
    };
    const status = await this.deliver(subscription, Buffer.from(JSON.stringify(payload)));
    this.testDeliveries.push({ subscriptionId: subscription.id, eventId: payload.event_id, status });
    const result = {
      id: randomUUID(),
      // Square reports what the URL answered; nothing when it could not be reached.
      ...(status !== undefined ? { status_code: status } : {}),
      payload,
      notification_url: subscription.notification_url,
      passes_filter: true,
      created_at: now,
      updated_at: now,
    };
    return ok({ subscription_test_result: result });
  }

  private invalid(given: Partial<FakeSubscription>, creating: boolean): Answer | undefined {
    if (creating && (typeof given.notification_url !== 'string' || given.notification_url === '')) {
      return error(400, 'MISSING_REQUIRED_PARAMETER', 'Missing required parameter.', 'subscription.notification_url');
    }
    if (typeof given.notification_url === 'string' && !acceptedUrl(given.notification_url)) {
      return error(
        400,
        'INVALID_VALUE',
        'The notification URL must be a valid https URL.',
        'subscription.notification_url',
      );
    }
    if (creating && (!Array.isArray(given.event_types) || given.event_types.length === 0)) {
      return error(400, 'MISSING_REQUIRED_PARAMETER', 'Missing required parameter.', 'subscription.event_types');
    }
    const unknown = (given.event_types ?? []).find((t) => !(t in EVENT_CATALOG));
    if (unknown !== undefined)
      return error(400, 'INVALID_VALUE', `Unknown event type: ${unknown}.`, 'subscription.event_types');
    if (given.api_version !== undefined && given.api_version !== null && !API_VERSION.test(given.api_version)) {
      return error(400, 'INVALID_VALUE', `Invalid API version: ${given.api_version}.`, 'subscription.api_version');
    }
    return undefined;
  }

  private touch(subscription: FakeSubscription, changes: Partial<FakeSubscription>): void {
    Object.assign(subscription, changes, { updated_at: new Date().toISOString() });
  }
}

function acceptedUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

function newSignatureKey(): string {
  return randomBytes(16).toString('base64url');
}

function ok(body: JsonObject): Answer {
  return { status: 200, body };
}

function error(status: number, code: string, detail: string, field?: string): Answer {
  return {
    status,
    body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code, detail, ...(field ? { field } : {}) }] },
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

// A small stand-in for Square's API, for tests, benchmarks and local demos. It serves the
// single-object GET of every object type the worker retrieves (GET /v2/payments/{id},
// /v2/orders/{id}, …: fake-objects.ts) from an in-memory store, answers errors the way Square
// shapes them, and can be told to be slow or to fail:
//   PUT    /_fake/objects/{type}/{id}   body: an object of that type (snake_case, as Square returns it)
//   PUT    /_fake/catalog/{id}          body: a catalog object (served by POST /v2/catalog/search)
//   POST   /_fake/faults          body: {"id"?: "...", "status": 429|500|404|…, "times"?: n, "after"?: n, "retryAfterSeconds"?: n}
//   PUT    /_fake/latency         body: {"ms": n}
//   GET    /_fake/requests        how many API requests each object id received
//   POST   /_fake/reset           forget faults, latency and counts (objects stay)
// The same controls exist as methods for tests running it in-process. Sellers and OAuth: fake-oauth.ts
// (RetrieveTokenStatus, POST /oauth2/token/status, is here: it also knows the application's token).
// Webhook subscriptions and their test notifications: fake-webhooks.ts; the Events API's
// enable/disable switch PUT /v2/events/enable|disable. A request with FAKE_TOKEN_WITHOUT_PERMISSION
// is answered 403 INSUFFICIENT_SCOPES on those (a token that may not manage webhooks or events).

import { isObjectType, matchRoute, synthesize, type JsonObject } from './fake-objects.js';
import { FakeEventLog } from './fake-events.js';
import { FakeSellers, type FakeApplication } from './fake-oauth.js';
import { FakeWebhookSubscriptions } from './fake-webhooks.js';

/** A token the fake knows but that lacks the permission to manage webhooks and the Events API: 403. */
export const FAKE_TOKEN_WITHOUT_PERMISSION = 'fake-token-without-permission';

export interface Fault {
  /** Object id the fault applies to; every id when absent. */
  id?: string;
  status: number;
  /** How many matching requests fail; forever when absent. */
  times?: number;
  /** How many matching requests succeed first (e.g. 1: the second page of a search fails). */
  after?: number;
  retryAfterSeconds?: number;
}

export interface FakeSquareOptions {
  /** Answer unknown ids with a generated COMPLETED object instead of 404 (load tests). */
  synthesize?: boolean;
  latencyMs?: number;
  /**
   * When set, requests must carry this bearer token (the application's own: it reads every
   * seller's objects), or a token `sellers.grant` gave the object's merchant.
   */
  accessToken?: string;
  /** The application's OAuth credentials, for /oauth2/token. */
  application?: FakeApplication;
}

/** The request counter and fault id of RetrieveTokenStatus. */
export const TOKEN_STATUS = 'oauth.token_status';

const ERRORS: Record<number, [category: string, code: string]> = {
  400: ['INVALID_REQUEST_ERROR', 'BAD_REQUEST'],
  401: ['AUTHENTICATION_ERROR', 'UNAUTHORIZED'],
  403: ['AUTHENTICATION_ERROR', 'FORBIDDEN'],
  404: ['INVALID_REQUEST_ERROR', 'NOT_FOUND'],
  408: ['API_ERROR', 'REQUEST_TIMEOUT'],
  429: ['RATE_LIMIT_ERROR', 'RATE_LIMITED'],
  500: ['API_ERROR', 'INTERNAL_SERVER_ERROR'],
  503: ['API_ERROR', 'SERVICE_UNAVAILABLE'],
};

export class FakeSquareServer {
  private readonly store = new Map<string, Map<string, JsonObject>>();
  private readonly catalog = new Map<string, JsonObject>();
  private faults: Array<Fault & { remaining: number; passes: number }> = [];
  private readonly requests = new Map<string, number>();
  /** Owner of each object put with a merchant: `${type}/${id}` → merchant id. */
  private readonly owners = new Map<string, string>();
  private readonly tokensUsed = new Map<string, string[]>();
  /** Sellers' tokens and the OAuth endpoints. */
  readonly sellers: FakeSellers;
  /** Square's event log, searched by POST /v2/events (the Events API). */
  readonly eventLog = new FakeEventLog();
  /** Webhook subscriptions (/v2/webhooks/…), test notifications delivered for real. */
  readonly webhooks = new FakeWebhookSubscriptions();
  /** Highest `version` answered with 200 per object id: what a correct consumer must end up storing. */
  readonly maxServedVersion = new Map<string, number>();
  private server: Server | undefined;
  latencyMs: number;
  /** Base URL once listening, e.g. http://127.0.0.1:3010 */
  url = '';

  constructor(private readonly options: FakeSquareOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.sellers = new FakeSellers(options.application);
  }

  /** A catalog object, found by POST /v2/catalog/search when its updated_at is at or after begin_time. */
  putCatalogObject(object: JsonObject): void {
    this.catalog.set(String(object.id), object);
  }

  /** `objectType`: payment, refund, order, customer… (a key of the worker's RETRIEVERS). */
  put(objectType: string, object: JsonObject, merchantId?: string): void {
    if (!isObjectType(objectType)) throw new Error(`the fake Square API serves no ${objectType}`);
    if (merchantId !== undefined) this.owners.set(`${objectType}/${String(object.id)}`, merchantId);
    let objects = this.store.get(objectType);
    if (!objects) this.store.set(objectType, (objects = new Map<string, JsonObject>()));
    objects.set(String(object.id), object);
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, passes: fault.after ?? 0 });
  }

  reset(): void {
    this.faults = [];
    this.latencyMs = this.options.latencyMs ?? 0;
    this.requests.clear();
  }

  /** The bearer tokens the requests for an object id came with, in order. */
  tokensUsedFor(id: string): string[] {
    return this.tokensUsed.get(id) ?? [];
  }

  requestCount(id?: string): number {
    if (id !== undefined) return this.requests.get(id) ?? 0;
    return [...this.requests.values()].reduce((a, b) => a + b, 0);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) =>
        send(res, 500, { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: String(err) }] }),
      );
    });
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === '_fake') return this.control(req, res, parts.slice(1));
    if (
      await this.sellers.handle(
        req,
        res,
        url,
        () => readJson(req),
        (status, body) => send(res, status, body),
      )
    )
      return;

    if (req.method === 'POST' && url.pathname === '/oauth2/token/status') return this.tokenStatus(req, res);
    if (
      url.pathname.startsWith('/v2/webhooks/') ||
      url.pathname === '/v2/events/enable' ||
      url.pathname === '/v2/events/disable'
    ) {
      return this.manage(req, res, url);
    }
    if (req.method === 'POST' && url.pathname === '/v2/catalog/search') return this.searchCatalog(req, res);
    if (req.method === 'POST' && url.pathname === '/v2/events') return this.searchEvents(req, res);
    const route = req.method === 'GET' ? matchRoute(url.pathname) : undefined;
    if (!route) return squareError(res, 404, `no route ${req.method} ${url.pathname}`);
    const { objectType, id } = route;
    this.requests.set(id, (this.requests.get(id) ?? 0) + 1);
    this.tokensUsed.set(id, [...this.tokensUsedFor(id), bearer(req) ?? '']);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!this.authorized(req, this.owners.get(`${objectType}/${id}`)))
      return squareError(res, 401, 'This request could not be authorized.');
    if (this.injectFault(id, res)) return;
    const object =
      this.store.get(objectType)?.get(id) ?? (this.options.synthesize ? synthesize(objectType, id) : undefined);
    if (!object) return squareError(res, 404, `Could not find ${objectType} with id: ${id}`);
    if (typeof object.version === 'number') {
      this.maxServedVersion.set(id, Math.max(object.version, this.maxServedVersion.get(id) ?? object.version));
    }
    send(res, 200, { [route.key]: object });
  }

  /**
   * RetrieveTokenStatus: what a working token is (a seller's, or the application's own); any other
   * token (revoked, unknown, none) is Square's 401. Faults apply under the id "oauth.token_status".
   */
  private async tokenStatus(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await this.arrive(TOKEN_STATUS, res)) return;
    const token = bearer(req);
    const merchantId =
      this.sellers.merchantOf(token) ??
      (token !== undefined && token === this.options.accessToken ? 'FAKE_APPLICATION_OWNER' : undefined);
    if (merchantId === undefined) return squareError(res, 401, 'This request could not be authorized.');
    send(res, 200, {
      merchant_id: merchantId,
      client_id: this.options.application?.clientId ?? 'sq0idp-fake',
      scopes: ['PAYMENTS_READ'],
    });
  }

  /** Counts a request to `id`, waits out the latency; true when a fault answered it. */
  private async arrive(id: string, res: ServerResponse): Promise<boolean> {
    this.requests.set(id, (this.requests.get(id) ?? 0) + 1);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return this.injectFault(id, res);
  }

  /** The application's settings: webhook subscriptions and the Events API switch; faults apply under the id "webhooks". */
  private async manage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.requests.set('webhooks', (this.requests.get('webhooks') ?? 0) + 1);
    if (bearer(req) === FAKE_TOKEN_WITHOUT_PERMISSION) {
      return send(res, 403, {
        errors: [
          {
            category: 'AUTHENTICATION_ERROR',
            code: 'INSUFFICIENT_SCOPES',
            detail: 'The access token used does not have the permission needed for this request.',
          },
        ],
      });
    }
    if (!this.authorized(req, undefined)) return squareError(res, 401, 'This request could not be authorized.');
    if (this.injectFault('webhooks', res)) return;
    if (req.method === 'PUT' && (url.pathname === '/v2/events/enable' || url.pathname === '/v2/events/disable')) {
      this.eventLog.enabled = url.pathname.endsWith('/enable');
      return send(res, 200, {});
    }
    const answer = await this.webhooks.route(req.method ?? 'GET', url.pathname, url.searchParams, () => readJson(req));
    if (!answer) return squareError(res, 404, `no route ${req.method} ${url.pathname}`);
    send(res, answer.status, answer.body);
  }

  /** SearchEvents; faults apply under the id "events.search". */
  private async searchEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    this.requests.set('events.search', (this.requests.get('events.search') ?? 0) + 1);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!this.authorized(req, undefined)) return squareError(res, 401, 'This request could not be authorized.');
    if (this.injectFault('events.search', res)) return;
    if (!this.eventLog.enabled)
      return squareError(res, 403, 'Events API is not enabled for this application: call PUT /v2/events/enable');
    send(res, 200, this.eventLog.search(body));
  }

  /** SearchCatalogObjects as the worker uses it: begin_time, include_deleted_objects, limit, cursor. */
  private async searchCatalog(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    this.requests.set('catalog.search', (this.requests.get('catalog.search') ?? 0) + 1);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (!this.authorized(req, undefined)) return squareError(res, 401, 'This request could not be authorized.');
    const since = typeof body.begin_time === 'string' ? Date.parse(body.begin_time) : Number.NEGATIVE_INFINITY;
    const matching = [...this.catalog.values()]
      .filter(
        (o) =>
          Date.parse(String(o.updated_at)) >= since && (body.include_deleted_objects === true || o.is_deleted !== true),
      )
      .sort((a, b) => String(a.updated_at).localeCompare(String(b.updated_at)));
    const start = Number(body.cursor ?? 0);
    const limit = Math.min(Number(body.limit ?? 100), 1000);
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? String(start + limit) : undefined;
    send(res, 200, { objects: page, ...(next ? { cursor: next } : {}), latest_time: new Date().toISOString() });
  }

  /** Answers with the first fault that applies to `id`, if any. */
  private injectFault(id: string, res: ServerResponse): boolean {
    const fault = this.faults.find((f) => (f.id === undefined || f.id === id) && f.remaining > 0);
    if (!fault) return false;
    if (fault.passes > 0) {
      fault.passes--;
      return false;
    }
    fault.remaining--;
    if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
    squareError(res, fault.status, `injected ${fault.status}`);
    return true;
  }

  /** The application's token reads everything; a seller's token only that seller's objects. */
  private authorized(req: IncomingMessage, owner: string | undefined): boolean {
    if (this.options.accessToken === undefined && !this.sellers.active) return true;
    const token = bearer(req);
    if (token !== undefined && token === this.options.accessToken) return true;
    const merchant = this.sellers.merchantOf(token);
    return merchant !== undefined && (owner === undefined || owner === merchant);
  }

  private async control(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const [what, type, id] = parts;
    if (req.method === 'PUT' && what === 'objects' && type && isObjectType(type) && id) {
      this.put(type, { ...(await readJson(req)), id });
    } else if (req.method === 'PUT' && what === 'catalog' && type) {
      this.putCatalogObject({ ...(await readJson(req)), id: type });
    } else if (req.method === 'POST' && what === 'faults') {
      this.fail((await readJson(req)) as unknown as Fault);
    } else if (req.method === 'PUT' && what === 'latency') {
      this.latencyMs = Number((await readJson(req)).ms ?? 0);
    } else if (req.method === 'POST' && what === 'reset') {
      this.reset();
    } else if (req.method === 'GET' && what === 'requests') {
      return send(res, 200, Object.fromEntries(this.requests));
    } else {
      return squareError(res, 404, 'unknown control route');
    }
    send(res, 200, { ok: true });
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

function squareError(res: ServerResponse, status: number, detail: string): void {
  const [category, code] = ERRORS[status] ?? ['API_ERROR', 'UNKNOWN'];
  send(res, status, { errors: [{ category, code, detail }] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as JsonObject) : {};
}

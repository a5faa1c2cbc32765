import { SquareClient, SquareEnvironment, SquareError, SquareTimeoutError } from 'square';
import type { SquareApiConfig } from '@app/config';
import { keepAliveFetch } from './keep-alive-fetch.js';
import { parseRetryAfter } from '@app/queue';
import { SquareApiError, isRetryableStatus } from './square-api.errors.js';
import { serialization } from 'square';
import { RETRIEVERS, wireObject, wireObjects, type CanonicalObject, type RetrievableType } from './square-objects.js';

// Pages of one catalog search: 1 000 objects a page (Square's maximum); a merchant's first search
// may go through the whole catalog, so the search stops at this many pages and says so.
const CATALOG_PAGE = 1000;
const MAX_CATALOG_PAGES = 100;

/**
 * Retrieves canonical Square objects with the official SDK. Every failure becomes a
 * SquareApiError that says whether retrying can help; the SDK's own retries are off so that the
 * job queue's backoff (which honours Retry-After) is the only retry loop.
 */
/** Told about every call (operation, HTTP status or 'timeout'/'network', seconds), e.g. for metrics. */
export type SquareCallObserver = (operation: string, status: string, seconds: number) => void;

/** How to reach Square's API (the token is per call: each seller's own, or the application's). */
export type SquareConnection = Pick<SquareApiConfig, 'environment' | 'baseUrl' | 'timeoutMs'>;

/** What ObtainToken gave: a seller's new tokens. */
export interface ObtainedToken {
  merchantId: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

// One SDK client per token (a client holds its token); a bound, in case of very many sellers.
const MAX_CLIENTS = 10_000;

export class SquareApiClient {
  private readonly clients = new Map<string, SquareClient>();

  constructor(
    private readonly connection: SquareConnection,
    private readonly observe: SquareCallObserver = () => undefined,
  ) {}

  private clientFor(token: string | undefined): SquareClient {
    const key = token ?? '';
    let client = this.clients.get(key);
    if (!client) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
      const { environment, baseUrl, timeoutMs } = this.connection;
      client = new SquareClient({
        ...(token !== undefined ? { token } : {}),
        environment: environment === 'production' ? SquareEnvironment.Production : SquareEnvironment.Sandbox,
        ...(baseUrl ? { baseUrl } : {}),
        timeoutInSeconds: timeoutMs / 1000,
        maxRetries: 0,
        fetch: keepAliveFetch,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * OAuth ObtainToken (no access token needed: the application's id and secret authenticate it),
   * for the code flow (`code`) and refreshing (`refreshToken`).
   */
  async obtainToken(
    request: { clientId: string; clientSecret: string; redirectUri?: string } & (
      { code: string } | { refreshToken: string }
    ),
  ): Promise<ObtainedToken> {
    const grant =
      'code' in request
        ? { grantType: 'authorization_code', code: request.code }
        : { grantType: 'refresh_token', refreshToken: request.refreshToken };
    const response = await this.call('oAuth.obtainToken', 'POST /oauth2/token', () =>
      this.clientFor(undefined).oAuth.obtainToken({
        clientId: request.clientId,
        clientSecret: request.clientSecret,
        ...(request.redirectUri ? { redirectUri: request.redirectUri } : {}),
        ...grant,
      }),
    );
    if (!response.accessToken || !response.merchantId) {
      throw new SquareApiError('POST /oauth2/token returned no access token or merchant id', {
        status: 200,
        retryable: false,
      });
    }
    return {
      merchantId: response.merchantId,
      accessToken: response.accessToken,
      refreshToken: response.refreshToken ?? null,
      expiresAt: response.expiresAt ? new Date(response.expiresAt) : null,
    };
  }

  /**
   * OAuth RetrieveTokenStatus: the merchant an access token belongs to, while it works. A token
   * revoked, expired or unknown is Square's 401 (a permanent SquareApiError, its code
   * ACCESS_TOKEN_REVOKED, ACCESS_TOKEN_EXPIRED or UNAUTHORIZED).
   */
  async tokenStatus(token: string): Promise<{ merchantId: string | null }> {
    const response = await this.call('oAuth.retrieveTokenStatus', 'POST /oauth2/token/status', () =>
      this.clientFor(token).oAuth.retrieveTokenStatus(),
    );
    return { merchantId: response.merchantId ?? null };
  }

  /**
   * The canonical object of `type` with `id`, as Square's API returns it. A 404 (an id Square does
   * not know) is a permanent SquareApiError; ids are escaped in the path.
   */
  async retrieve(type: RetrievableType, id: string, token: string): Promise<CanonicalObject> {
    const retriever = RETRIEVERS[type];
    const what = `GET ${retriever.path(id)}`;
    const response = await this.call(retriever.operation, what, () => retriever.get(this.clientFor(token), id));
    const object = wireObject(retriever, response);
    if (!object) throw new SquareApiError(`${what} returned no ${type}`, { status: 200, retryable: false });
    return object;
  }

  /**
   * Catalog objects changed since `since` (deleted ones included, with is_deleted), as Square's
   * wire JSON, for a catalog.version.updated event. `complete` is false when the search stopped at
   * MAX_CATALOG_PAGES pages.
   */
  async searchCatalogChanges(since: Date, token: string): Promise<{ objects: CanonicalObject[]; complete: boolean }> {
    const objects: CanonicalObject[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
      const request = {
        beginTime: since.toISOString(),
        includeDeletedObjects: true,
        limit: CATALOG_PAGE,
        ...(cursor ? { cursor } : {}),
      };
      const response = await this.call('catalog.search', 'POST /v2/catalog/search', () =>
        this.clientFor(token).catalog.search(request),
      );
      objects.push(...wireObjects(serialization.SearchCatalogObjectsResponse, response, 'objects'));
      cursor = response.cursor ?? undefined;
      if (!cursor) return { objects, complete: true };
    }
    return { objects, complete: false };
  }

  /**
   * One page (up to 100) of Square's event log (SearchEvents), oldest first, created in [from, to),
   * as wire JSON; `cursor` continues the same search.
   */
  async searchEvents(
    q: { from: Date; to: Date; types?: readonly string[]; cursor?: string },
    token: string,
  ): Promise<{ events: CanonicalObject[]; cursor: string | undefined }> {
    const request = {
      limit: 100,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      query: {
        filter: {
          createdAt: { startAt: q.from.toISOString(), endAt: q.to.toISOString() },
          ...(q.types?.length ? { eventTypes: [...q.types] } : {}),
        },
        sort: { field: 'DEFAULT' as const, order: 'ASC' as const },
      },
    };
    const response = await this.call('events.search', 'POST /v2/events', () =>
      this.clientFor(token).events.searchEvents(request),
    );
    return {
      events: wireObjects(serialization.SearchEventsResponse, response, 'events'),
      cursor: response.cursor || undefined,
    };
  }

  /**
   * One call of any SDK method with the application's or a seller's token, observed and classified
   * like the others (for the webhook subscriptions and Events API settings: webhook-settings.api.ts).
   */
  request<T>(
    operation: string,
    what: string,
    token: string,
    request: (client: SquareClient) => Promise<T>,
  ): Promise<T> {
    return this.call(operation, what, () => request(this.clientFor(token)));
  }

  private async call<T>(operation: string, what: string, request: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const response = await request();
      this.observe(operation, '200', (performance.now() - started) / 1000);
      return response;
    } catch (err) {
      const failure = classify(what, err);
      const status = failure.status !== null ? String(failure.status) : (failure.transport ?? 'network');
      this.observe(operation, status, (performance.now() - started) / 1000);
      throw failure;
    }
  }
}

function classify(what: string, err: unknown): SquareApiError {
  if (err instanceof SquareError && err.statusCode !== undefined) {
    const code = err.errors[0]?.code;
    const retryAfterMs = parseRetryAfter(err.rawResponse?.headers.get('retry-after'));
    // Square's code, not its free-text detail, which can echo what was sent (an address, a name):
    // an error text names the object by its path (type and id) and nothing else.
    return new SquareApiError(`${what} → ${err.statusCode} ${code ?? 'no error code'}`, {
      status: err.statusCode,
      retryable: isRetryableStatus(err.statusCode),
      retryAfterMs,
      code,
      detail: err.errors[0]?.detail,
    });
  }
  // The SDK reports its own timeout as SquareTimeoutError, or (depending on the runtime's abort
  // error) as a SquareError without status whose message says "timeout".
  if (err instanceof SquareTimeoutError || (err instanceof SquareError && /timeout/i.test(err.message))) {
    return new SquareApiError(`${what} timed out`, { status: null, retryable: true, transport: 'timeout' });
  }
  // Network errors (connection refused, reset, DNS) and SquareErrors without a status.
  return new SquareApiError(`${what} failed: ${(err as Error)?.message ?? String(err)}`, {
    status: null,
    retryable: true,
    transport: 'network',
  });
}

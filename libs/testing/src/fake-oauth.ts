import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The fake Square API's sellers: which access token belongs to which merchant (an object is only
// served with its merchant's token, or the application's own), and Square's OAuth endpoints:
//   GET  /oauth2/authorize   the seller's consent page: redirects at once to redirect_uri with a
//                            code for `authorizeAs` (error=access_denied when it is unset)
//   POST /oauth2/token       ObtainToken: grant_type authorization_code or refresh_token

export interface FakeApplication {
  clientId: string;
  clientSecret: string;
}

type Reply = (status: number, body: unknown) => void;

const DAY_MS = 24 * 3600 * 1000;

export class FakeSellers {
  private readonly merchantOfToken = new Map<string, string>();
  private readonly merchantOfRefresh = new Map<string, string>();
  private readonly codes = new Map<string, string>();
  /** The seller who approves the next consent page. */
  authorizeAs: string | undefined;
  /** ObtainToken calls by grant type, for tests. */
  readonly grants = { authorization_code: 0, refresh_token: 0 };

  constructor(private readonly application: FakeApplication | undefined) {}

  /** Whether any seller token exists (then tokens are checked per merchant). */
  get active(): boolean {
    return this.merchantOfToken.size > 0;
  }

  /** An access token of this merchant's, valid until revoked. */
  grant(merchantId: string, accessToken = `EAAAfake${randomBytes(12).toString('hex')}`): string {
    this.merchantOfToken.set(accessToken, merchantId);
    return accessToken;
  }

  /** A refresh token of this merchant's, for ObtainToken's refresh_token grant. */
  refreshTokenFor(merchantId: string): string {
    const token = `fakerefresh${randomBytes(12).toString('hex')}`;
    this.merchantOfRefresh.set(token, merchantId);
    return token;
  }

  /** The seller revoked it (Square answers 401 from now on). */
  revoke(accessToken: string): void {
    this.merchantOfToken.delete(accessToken);
  }

  merchantOf(accessToken: string | undefined): string | undefined {
    return accessToken === undefined ? undefined : this.merchantOfToken.get(accessToken);
  }

  /** Handles /oauth2/*; false for any other path. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: () => Promise<Record<string, unknown>>,
    reply: Reply,
  ): Promise<boolean> {
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? 'http://redirect.invalid/');
      const state = url.searchParams.get('state');
      if (state !== null) redirect.searchParams.set('state', state);
      if (url.searchParams.get('client_id') !== this.application?.clientId || this.authorizeAs === undefined) {
        redirect.searchParams.set('error', 'access_denied');
        redirect.searchParams.set('error_description', 'user_denied');
      } else {
        const code = `sq0cgbfake${randomBytes(8).toString('hex')}`;
        this.codes.set(code, this.authorizeAs);
        redirect.searchParams.set('code', code);
        redirect.searchParams.set('response_type', 'code');
      }
      res.writeHead(302, { location: redirect.toString() }).end();
      return true;
    }
    if (req.method !== 'POST' || url.pathname !== '/oauth2/token') return false;
    const request = await body();
    if (
      !this.application ||
      request.client_id !== this.application.clientId ||
      request.client_secret !== this.application.clientSecret
    ) {
      reply(401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'Not Authorized' }] });
      return true;
    }
    let merchantId: string | undefined;
    let refreshToken: string | undefined;
    if (request.grant_type === 'authorization_code') {
      merchantId = this.codes.get(String(request.code));
      this.codes.delete(String(request.code)); // single use
      if (merchantId) refreshToken = this.refreshTokenFor(merchantId);
    } else if (request.grant_type === 'refresh_token') {
      refreshToken = String(request.refresh_token);
      merchantId = this.merchantOfRefresh.get(refreshToken);
    }
    if (!merchantId || !refreshToken) {
      reply(401, {
        errors: [
          {
            category: 'AUTHENTICATION_ERROR',
            code: 'UNAUTHORIZED',
            detail: `invalid ${String(request.grant_type)} grant`,
          },
        ],
      });
      return true;
    }
    this.grants[request.grant_type as keyof typeof this.grants]++;
    reply(200, {
      access_token: this.grant(merchantId),
      token_type: 'bearer',
      expires_at: new Date(Date.now() + 30 * DAY_MS).toISOString(),
      merchant_id: merchantId,
      refresh_token: refreshToken,
      short_lived: false,
    });
    return true;
  }
}

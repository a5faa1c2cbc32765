import { Injectable } from '@nestjs/common';
import { SquareApiConfig } from '@app/config';
import { MerchantTokensRepository } from '@app/database';
import { MERCHANT_REASONS, MerchantTokens, type TokenLookup } from '@app/merchants';

type MerchantReason = (typeof MERCHANT_REASONS)[keyof typeof MERCHANT_REASONS];

/** The event's merchant has no usable token: retrying cannot help until someone adds one. */
export class MerchantTokenError extends Error {
  override name = 'MerchantTokenError';
  constructor(
    readonly reason: MerchantReason,
    message: string,
  ) {
    super(message);
  }
}

// An active token is reused this long without reading the store (sealed tokens are opened once
// per period, not per event). Only active ones are kept: a merchant just added is seen at once.
const CACHE_MS = 10_000;
const MAX_CACHED = 10_000;

/**
 * Which token reads an event's objects: the merchant's own from the store, else SQUARE_ACCESS_TOKEN
 * (a single seller, or the application's token). A merchant that must authorize again, or revoked
 * the application, or has no token where no fallback exists, is a MerchantTokenError.
 */
@Injectable()
export class MerchantTokenResolver {
  private readonly active = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly tokens: MerchantTokens,
    private readonly repository: MerchantTokensRepository,
    private readonly api: SquareApiConfig,
  ) {}

  async tokenFor(merchantId: string | null): Promise<{ token: string; stored: boolean }> {
    if (merchantId !== null && this.tokens.enabled) {
      const cached = this.active.get(merchantId);
      if (cached && cached.until > Date.now()) return { token: cached.token, stored: true };
      const lookup = await this.tokens.lookup(merchantId);
      if (lookup.state === 'active') {
        if (this.active.size >= MAX_CACHED) this.active.clear();
        this.active.set(merchantId, { token: lookup.accessToken, until: Date.now() + CACHE_MS });
        return { token: lookup.accessToken, stored: true };
      }
      if (lookup.state !== 'absent') throw unusable(merchantId, lookup);
    }
    if (this.api.accessToken) return { token: this.api.accessToken, stored: false };
    const who = merchantId ?? '(the event names none)';
    throw new MerchantTokenError(
      MERCHANT_REASONS.notAuthorized,
      `no access token for merchant ${who}: add it with \`npm run merchants -- add ${merchantId ?? '<merchantId>'} --access-token …\` or connect the seller at /admin/oauth/square/authorize; its waiting events are replayed then`,
    );
  }

  /** Square answered 401 to the merchant's stored token: it must authorize again. */
  async rejected(merchantId: string, error: string): Promise<MerchantTokenError> {
    this.forget(merchantId);
    await this.repository.markNeedsReauth(merchantId, `Square refused its token: ${error}`);
    return new MerchantTokenError(
      MERCHANT_REASONS.needsReauth,
      `Square refused merchant ${merchantId}'s token (${error}); it is marked needs_reauth: the seller must authorize again (merchants add, or the OAuth flow), which replays its events`,
    );
  }

  forget(merchantId: string): void {
    this.active.delete(merchantId);
  }
}

function unusable(
  merchantId: string,
  lookup: Exclude<TokenLookup, { state: 'active' | 'absent' }>,
): MerchantTokenError {
  return lookup.state === 'revoked'
    ? new MerchantTokenError(
        MERCHANT_REASONS.revoked,
        `merchant ${merchantId} revoked the application (${lookup.reason}); its events wait until it authorizes again`,
      )
    : new MerchantTokenError(
        MERCHANT_REASONS.needsReauth,
        `merchant ${merchantId} must authorize the application again (${lookup.reason})`,
      );
}

import { Inject, Injectable } from '@nestjs/common';
import { MerchantTokens } from '@app/merchants';
import { SquareApiClient, SquareApiError } from '@app/square-api';

export const REVOKED_EVENT = 'oauth.authorization.revoked';

/** What the verifier needs of its collaborators (a spec's fakes implement exactly these). */
export type TokenLookups = Pick<MerchantTokens, 'lookup'>;
export type TokenStatuses = Pick<SquareApiClient, 'tokenStatus'>;

/** confirmed: Square no longer accepts the merchant's token; else why the revocation is not believed. */
export type RevocationCheck = { confirmed: true } | { confirmed: false; reason: string };

/**
 * Whether Square confirms an oauth.authorization.revoked before its tokens are deleted: the event
 * is signed with the subscription's key, and a forged one (a leaked or development key) must not
 * log a seller out. Confirmed when Square's RetrieveTokenStatus refuses the stored access token
 * (401), or the store already holds that Square refused it (needs_reauth, revoked). Called before
 * the event's transaction (a network call); a transient failure throws and the event is retried.
 */
@Injectable()
export class RevocationVerifier {
  constructor(
    @Inject(MerchantTokens) private readonly tokens: TokenLookups,
    @Inject(SquareApiClient) private readonly square: TokenStatuses,
  ) {}

  async check(merchantId: string | null): Promise<RevocationCheck> {
    if (merchantId === null) return { confirmed: false, reason: 'the event names no merchant' };
    const stored = await this.tokens.lookup(merchantId);
    if (stored.state === 'absent')
      return { confirmed: false, reason: `no token of merchant ${merchantId} is stored to check with Square` };
    if (stored.state !== 'active') return { confirmed: true };
    try {
      await this.square.tokenStatus(stored.accessToken);
    } catch (err) {
      if (!(err instanceof SquareApiError) || err.status !== 401) throw err;
      // Expired is not revoked: the refresh token may still work, and the refresh will tell.
      if (err.code === 'ACCESS_TOKEN_EXPIRED')
        return { confirmed: false, reason: `merchant ${merchantId}'s token has expired, which is not a revocation` };
      return { confirmed: true };
    }
    return { confirmed: false, reason: `Square still accepts merchant ${merchantId}'s token` };
  }
}

import { Injectable } from '@nestjs/common';
import { REVOKE_MERCHANT } from '@app/database';
import type { AppliedHandler, ApplyContext } from '../handlers/applied-handler.js';
import { MerchantTokenResolver } from './merchant-token.resolver.js';

export const REVOCATION_HANDLER = 'merchant-tokens';

/**
 * oauth.authorization.revoked: the seller took the application's access away. Its tokens are
 * deleted and the merchant marked revoked, in the event's own transaction. Runs only once Square
 * confirmed the revocation (RevocationVerifier, before the transaction opens).
 */
@Injectable()
export class MerchantRevocationHandler implements AppliedHandler {
  readonly name = REVOCATION_HANDLER;

  constructor(private readonly resolver: MerchantTokenResolver) {}

  wants(type: string): boolean {
    return type === 'oauth.authorization.revoked';
  }

  async handle({ event, tx }: ApplyContext): Promise<void> {
    if (event.merchantId === null) return;
    await tx.run(REVOKE_MERCHANT, {
      merchant_id: event.merchantId,
      reason: `revoked by the seller (oauth.authorization.revoked, event ${event.id})`,
    });
    this.resolver.forget(event.merchantId);
  }
}

import { Injectable } from '@nestjs/common';
import type { EventRoute } from '@app/square';
import type { AppliedHandler, ApplyContext } from '../handlers/applied-handler.js';

export const MIRROR_HANDLER = 'square-mirror';

/**
 * The built-in mirror: the canonical object of the event, upserted into its table (payments,
 * refunds) when strictly newer than the stored row. A handler like the team's, first in line, in
 * the same transaction.
 */
@Injectable()
export class SquareMirrorHandler implements AppliedHandler {
  readonly name = MIRROR_HANDLER;

  wants(_type: string, route: EventRoute): boolean {
    return route.kind === 'retrieve';
  }

  async handle({ tx, route, canonical, unchanged }: ApplyContext): Promise<void> {
    if (route.kind !== 'retrieve' || !canonical) return;
    const written = route.objectType === 'payment' ? await tx.upsertPayment(canonical.json) : await tx.upsertRefund(canonical.json);
    if (!written) unchanged();
  }
}

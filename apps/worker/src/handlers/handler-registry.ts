import { Inject, Injectable } from '@nestjs/common';
import type { SquareEventHandler } from '@app/handlers';
import type { EventRoute } from '@app/square';
import { ForwardRecorderHandler } from '../forwarding/forward-recorder.handler.js';
import { MerchantRevocationHandler } from '../merchants/merchant-revocation.handler.js';
import { SquareMirrorHandler } from '../mirror/square-mirror.handler.js';
import { teamHandler, type AppliedHandler } from './applied-handler.js';

/** The team's handlers, loaded from SQUARE_EVENT_HANDLERS before the app starts. */
export const TEAM_HANDLERS = Symbol('TEAM_HANDLERS');

/**
 * Every handler of the apply path, in the order they run: the mirror first, the revocation of a
 * seller's tokens, then the team's as declared, then the recording of the forward deliveries — so
 * that an event whose handler fails leaves no delivery.
 */
@Injectable()
export class HandlerRegistry {
  private readonly handlers: readonly AppliedHandler[];

  constructor(
    mirror: SquareMirrorHandler,
    revocation: MerchantRevocationHandler,
    @Inject(TEAM_HANDLERS) team: readonly SquareEventHandler[],
    forward: ForwardRecorderHandler,
  ) {
    this.handlers = [mirror, revocation, ...team.map(teamHandler), forward];
  }

  forEvent(type: string, route: EventRoute, merchantId: string | null): AppliedHandler[] {
    return this.handlers.filter((h) => h.wants(type, route, merchantId));
  }
}

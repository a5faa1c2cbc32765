import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventRoute } from '@app/square';
import { ForwardRecorderHandler } from '../forwarding/forward-recorder.handler.js';
import { MerchantRevocationHandler } from '../merchants/merchant-revocation.handler.js';
import { SquareMirrorHandler } from '../mirror/square-mirror.handler.js';
import { teamHandler, type AppliedHandler } from './applied-handler.js';
import type { LoadedHandler } from '@app/handlers';

/** The handlers that want one event, in the order they run. */
export interface EventHandlers {
  handlers: AppliedHandler[];
  /**
   * Those of the team's among them: each claims (handler, event) with the event, as `events rerun`
   * does, and is skipped when a rerun applied it already.
   */
  claimed: string[];
}

/** The team's handlers, loaded from SQUARE_EVENT_HANDLERS before the app starts. */
export const TEAM_HANDLERS = Symbol('TEAM_HANDLERS');

/**
 * Every handler of the apply path, in the order they run: the mirror first, the revocation of a
 * seller's tokens, then the team's as declared, then the recording of the forward deliveries — so
 * that an event whose handler fails leaves no delivery.
 */
@Injectable()
export class HandlerRegistry {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly handlers: readonly AppliedHandler[];
  private readonly team: ReadonlySet<string>;

  constructor(
    mirror: SquareMirrorHandler,
    revocation: MerchantRevocationHandler,
    @Inject(TEAM_HANDLERS) team: readonly LoadedHandler[],
    forward: ForwardRecorderHandler,
  ) {
    this.handlers = [mirror, revocation, ...team.map((t) => teamHandler(t.handler)), forward];
    this.team = new Set(team.map((t) => t.handler.name));
    // Which of the team's handlers this worker runs, said once at start: a handler missing here is
    // a SQUARE_EVENT_HANDLERS problem, not an event problem.
    for (const { handler, file } of team) {
      this.logger.log(`handler loaded: ${handler.name} (${handler.eventTypes.join(', ')}) from ${file}`, {
        handler: handler.name,
        eventTypes: handler.eventTypes,
        file,
      });
    }
    if (team.length === 0) this.logger.log('no handlers of yours loaded (SQUARE_EVENT_HANDLERS is empty)');
  }

  forEvent(type: string, route: EventRoute, merchantId: string | null): EventHandlers {
    const handlers = this.handlers.filter((h) => h.wants(type, route, merchantId));
    return { handlers, claimed: handlers.filter((h) => this.team.has(h.name)).map((h) => h.name) };
  }
}

import type { ApplyTransaction } from '@app/database';
import { runTeamHandler, type HandlerContext, type SquareEventHandler } from '@app/handlers';
import { matchesEventType, type EventRoute } from '@app/square';
import type { CanonicalObject } from '@app/square-api';

/** What a handler on the apply path is given: the team's context, and for built-in ones a bit more. */
export interface ApplyContext extends HandlerContext {
  /** The event's transaction, for the built-in mirror's own statements. */
  tx: ApplyTransaction;
  route: EventRoute;
  /** The retrieved object as Square's JSON text (exact), when there is one. */
  canonical: CanonicalObject | null;
  /** For a catalog version: the catalog objects changed since the last one stored. */
  catalogChanges: readonly CanonicalObject[];
  /** The mirror found a newer version stored: the event's outcome is 'unchanged'. */
  unchanged: () => void;
}

/** One handler as the apply path runs it: the built-in mirror, or one of the team's. */
export interface AppliedHandler {
  name: string;
  /** One of the team's: it claims (handler, event) with the event, as `events rerun` does. */
  team?: true;
  /** Whether this handler runs for an event of this type, route and seller. */
  wants(type: string, route: EventRoute, merchantId: string | null): boolean;
  handle(ctx: ApplyContext): Promise<void>;
}

/** A team handler as the apply path runs it (runTeamHandler: the documented context only, frozen). */
export function teamHandler(handler: SquareEventHandler): AppliedHandler {
  return {
    name: handler.name,
    team: true,
    wants: (type) => matchesEventType(handler.eventTypes, type),
    handle: (ctx) => runTeamHandler(handler, ctx),
  };
}

/** The handler failed: its name goes into the event's last_error; `permanent` when the error said so. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  readonly permanent: boolean;

  /** `handler`: its name, or the names of those it may have been (a transaction left, found at the commit). */
  constructor(
    handler: string | readonly string[],
    cause: unknown,
  ) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const names = (typeof handler === 'string' ? [handler] : handler).map((name) => `"${name}"`);
    super(`${names.length === 1 ? 'handler' : 'one of handlers'} ${names.join(', ')} failed: ${message}`, { cause });
    this.permanent = (cause as { permanent?: unknown } | null)?.permanent === true;
  }
}

/** The event's transaction outlived SQUARE_EVENT_HANDLER_TIMEOUT_MS and was rolled back (retried). */
export class HandlerTimeoutError extends Error {
  override name = 'HandlerTimeoutError';
}

import type { EventTransaction } from '@app/database';
import { Logger } from '@nestjs/common';
import { runTeamHandler, type HandlerContext, type HandlerLogger, type SquareEventHandler } from '@app/handlers';
import { matchesEventType, type EventRoute } from '@app/square';
import type { CanonicalObject } from '@app/square-api';

/** What a handler on the apply path is given: the team's context, and for built-in ones a bit more. */
export interface ApplyContext extends HandlerContext {
  /** The event's transaction, for the built-in handlers' own statements (each beside its handler). */
  tx: EventTransaction;
  route: EventRoute;
  /** The retrieved object as Square's JSON text (exact), when there is one. */
  canonical: CanonicalObject | null;
  /** For a catalog version: the catalog objects changed since the last one stored. */
  catalogChanges: readonly CanonicalObject[];
}

/** What a handler did with one object: stored it, or found as new a version stored already. */
export type ObjectWrite = 'written' | 'unchanged';

/** One handler as the apply path runs it: the built-in mirror, or one of the team's. */
export interface AppliedHandler {
  name: string;
  /** Whether this handler runs for an event of this type, route and seller. */
  wants(type: string, route: EventRoute, merchantId: string | null): boolean;
  /** What it did with each object it stores, if it stores any: the use case decides the event's outcome from it. */
  handle(ctx: ApplyContext): Promise<readonly ObjectWrite[] | void>;
}

/** A team handler as the apply path runs it (runTeamHandler: the documented context only, frozen). */
export function teamHandler(handler: SquareEventHandler): AppliedHandler {
  return {
    name: handler.name,
    wants: (type) => matchesEventType(handler.eventTypes, type),
    handle: (ctx) => runTeamHandler(handler, ctx),
  };
}

/** The handler failed: its name goes into the event's last_error; `permanent` when the error said so. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  readonly permanent: boolean;

  /** `handler`: its name, or the names of those it may have been (a transaction left, found at the commit). */
  constructor(handler: string | readonly string[], cause: unknown) {
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

/** A handler's ctx.logger: its lines name the handler and carry the event's id. */
export function handlerLogger(handler: string, eventId: string): HandlerLogger {
  const logger = new Logger(`handler:${handler}`);
  const tagged = (fields?: Record<string, unknown>) => ({ eventId, ...fields });
  return {
    log: (message, fields) => logger.log(message, tagged(fields)),
    warn: (message, fields) => logger.warn(message, tagged(fields)),
    error: (message, fields) => logger.error(message, tagged(fields)),
    debug: (message, fields) => logger.debug(message, tagged(fields)),
  };
}

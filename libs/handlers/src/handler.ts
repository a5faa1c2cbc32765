// The team's own code on the apply path: what a handler module exports and what it is given.
// Everything a handler writes through ctx.sql commits in the event's transaction, with the claim
// of the event id, or not at all: exactly once. See docs/HANDLERS.md.

import type { JsonObject } from '@app/square';

// The team's handlers import it from here (@app/handlers); libs/square owns it.
export type { JsonObject };

export interface HandlerEvent {
  /** Square's event_id (or the id derived for a legacy v1 notification). */
  id: string;
  /** e.g. payment.updated */
  type: string;
  merchantId: string | null;
  /** created_at of the event, as Square sent it (null when absent). */
  createdAt: string | null;
  /** The webhook body as JSON, as Square sent it (forwarding sends it so). Deep-frozen, as is the whole event. */
  payload: JsonObject;
}

export interface HandlerSqlResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface HandlerLogger {
  log(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface HandlerContext {
  event: HandlerEvent;
  /**
   * The canonical object retrieved from Square's API for this event, as the API returns it
   * (snake_case), or null when the event type names no object. Deep-frozen.
   */
  object: JsonObject | null;
  /**
   * Runs ONE statement inside the event's transaction ($1, $2… parameters, as pg takes them).
   * Everything written here commits with the event, or is rolled back with it; after the event is
   * done, it throws. It refuses transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT…) and
   * session statements (SET without LOCAL, RESET, DISCARD, LISTEN…): docs/HANDLERS.md, "What ctx.sql refuses".
   * A refused or failed statement fails the handler, even when it catches the error.
   */
  sql: <R = Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<HandlerSqlResult<R>>;
  /** 1 for the first try of this event, 2 for the first retry… (a replay starts again at 1). */
  attempt: number;
  /** Lines tagged with the event id and the handler's name. */
  logger: HandlerLogger;
}

export interface SquareEventHandler {
  /** Unique among the handlers: named in logs and in the event's last_error when it fails. */
  name: string;
  /** Exact types (payment.updated), prefixes with a star (payment.*), or * for every event. */
  eventTypes: readonly string[];
  /**
   * Throwing fails the event: retried with the queue's backoff, or dead-lettered at once when the
   * error's `permanent` property is true. Either way nothing of the event is applied.
   */
  handle(ctx: HandlerContext): Promise<void>;
}

/** Throw this (or any error with `permanent: true`) when retrying cannot help: the event is dead-lettered at once. */
export class PermanentError extends Error {
  readonly permanent = true;
  override name = 'PermanentError';
}

/** The identity, for types: `export default defineHandler({ … })`. */
export function defineHandler(handler: SquareEventHandler): SquareEventHandler {
  return handler;
}

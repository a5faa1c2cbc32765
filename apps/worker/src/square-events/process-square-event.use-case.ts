import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventApplyRepository, EventStatusRepository } from '@app/database';
import type { HandlerEvent, HandlerLogger, JsonObject } from '@app/handlers';
import { routeSquareEvent, type EventRoute } from '@app/square';
import { SquareApiClient, type CanonicalObject } from '@app/square-api';
import { TimeoutError } from '@app/timeouts';
import { HandlerError, HandlerTimeoutError, type AppliedHandler } from '../handlers/applied-handler.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';

/** applied: the handlers ran (the mirror wrote); unchanged: they ran, the mirror had a newer row. */
export type ProcessOutcome = 'applied' | 'unchanged' | 'duplicate' | 'ignored' | 'skipped';

/** Filled in as the event is read, for the caller's logs and metrics (also on failure). */
export interface ProcessContext {
  eventType: string;
  /** 1 for the first try. */
  attempt: number;
}

/** The event cannot be interpreted; retrying will not change that. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** SQUARE_EVENT_HANDLER_TIMEOUT_MS: how long one event's transaction may take, handlers included. */
export const APPLY_TIMEOUT_MS = Symbol('APPLY_TIMEOUT_MS');

/**
 * One event, start to end: read the inbox row, route it, retrieve the canonical object from Square
 * (the network call, outside any transaction), then ONE transaction that claims the event id, runs
 * every handler that wants it (the built-in mirror first, then the team's, in declaration order)
 * and marks the event processed. Any handler failing, or the time limit passing, rolls all of it
 * back, the claim included, so the retry starts clean. Events no handler wants are marked ignored.
 */
@Injectable()
export class ProcessSquareEventUseCase {
  constructor(
    private readonly events: EventStatusRepository,
    private readonly applies: EventApplyRepository,
    private readonly square: SquareApiClient,
    private readonly handlers: HandlerRegistry,
    @Inject(APPLY_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  async execute(eventId: string, context: ProcessContext): Promise<ProcessOutcome> {
    const event = await this.events.find(eventId);
    if (!event) throw new InvalidEventError(`event ${eventId} is not in the inbox`);
    context.eventType = event.eventType;
    if (event.status !== 'received') return 'skipped'; // processed, ignored or dead-lettered already

    const route = routeSquareEvent(event.eventType, event.payload);
    if (route.kind === 'invalid') throw new InvalidEventError(route.reason);
    const handlers = this.handlers.forEvent(event.eventType, route);
    if (handlers.length === 0) {
      await this.events.markIgnored(eventId);
      return 'ignored';
    }
    const canonical = route.kind === 'retrieve' ? await this.square.retrieve(route.objectType, route.id) : null;
    return this.apply(
      { id: eventId, type: event.eventType, merchantId: stringOrNull(event.payload.merchant_id), createdAt: stringOrNull(event.payload.created_at), payload: event.payload },
      route,
      canonical,
      handlers,
      context.attempt,
    );
  }

  private async apply(event: HandlerEvent, route: EventRoute, canonical: CanonicalObject | null, handlers: AppliedHandler[], attempt: number): Promise<ProcessOutcome> {
    let running = '';
    try {
      return await this.applies.inApplyTransaction(event.id, this.timeoutMs, async (tx) => {
        // The claim marks the event processed too: nothing of it stays unless everything below succeeds.
        if (!(await tx.claim())) return 'duplicate';
        let outcome: 'applied' | 'unchanged' = 'applied';
        // Shared by the handlers, which run one after the other: frozen, so none can change what the next one sees.
        const object = canonical ? deepFreeze(canonical.object) : null;
        for (const handler of handlers) {
          running = handler.name;
          const ctx = { event, object, sql: tx.sql, attempt, logger: handlerLogger(handler.name, event.id), tx, route, canonical, unchanged: () => (outcome = 'unchanged') };
          try {
            await handler.handle(ctx);
          } catch (err) {
            throw new HandlerError(handler.name, err);
          }
        }
        running = '';
        return outcome;
      });
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      const where = running ? `handler "${running}" did not finish` : 'the event was not applied';
      throw new HandlerTimeoutError(`${where} within ${this.timeoutMs} ms (SQUARE_EVENT_HANDLER_TIMEOUT_MS); rolled back`);
    }
  }
}

function handlerLogger(handler: string, eventId: string): HandlerLogger {
  const logger = new Logger(`handler:${handler}`);
  const tagged = (fields?: Record<string, unknown>) => ({ eventId, ...fields });
  return {
    log: (message, fields) => logger.log(message, tagged(fields)),
    warn: (message, fields) => logger.warn(message, tagged(fields)),
    error: (message, fields) => logger.error(message, tagged(fields)),
    debug: (message, fields) => logger.debug(message, tagged(fields)),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function deepFreeze(value: JsonObject): JsonObject {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next !== 'object' || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    stack.push(...Object.values(next));
  }
  return value;
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventApplyRepository, EventStatusRepository, TransactionLeftError } from '@app/database';
import { deepFreeze, type HandlerEvent, type HandlerLogger } from '@app/handlers';
import { routeSquareEvent, snapshotObject, type EventRoute } from '@app/square';
import { SquareApiClient, SquareApiError, isRetrievable, type CanonicalObject } from '@app/square-api';
import { TimeoutError } from '@app/timeouts';
import { traceHandler } from '@app/tracing';
import { HandlerError, HandlerTimeoutError, type AppliedHandler } from '../handlers/applied-handler.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import { MerchantTokenResolver } from '../merchants/merchant-token.resolver.js';
import { REVOKED_EVENT, RevocationVerifier } from '../merchants/revocation.verifier.js';

/**
 * applied: the handlers ran (the mirror wrote); unchanged: they ran, the mirror had a newer row;
 * unconfirmed: a revocation Square does not confirm, ignored (the seller's tokens stay).
 */
export type ProcessOutcome = 'applied' | 'unchanged' | 'duplicate' | 'ignored' | 'unconfirmed' | 'skipped';

/** Filled in as the event is read, for the caller's logs and metrics (also on failure). */
export interface ProcessContext {
  eventType: string;
  /** 1 for the first try. */
  attempt: number;
  /** The handlers that ran, in order (the failing one last), for the attempt's record. */
  handlers: string[];
}

/** The event cannot be interpreted; retrying will not change that. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

interface Fetched {
  canonical: CanonicalObject | null;
  catalogChanges: CanonicalObject[];
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
  private readonly logger = new Logger(ProcessSquareEventUseCase.name);

  constructor(
    private readonly events: EventStatusRepository,
    private readonly applies: EventApplyRepository,
    private readonly square: SquareApiClient,
    private readonly handlers: HandlerRegistry,
    private readonly tokens: MerchantTokenResolver,
    private readonly revocations: RevocationVerifier,
    @Inject(APPLY_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  async execute(eventId: string, context: ProcessContext): Promise<ProcessOutcome> {
    const event = await this.events.find(eventId);
    if (!event) throw new InvalidEventError(`event ${eventId} is not in the inbox`);
    context.eventType = event.eventType;
    if (event.status !== 'received') return 'skipped'; // processed, ignored or dead-lettered already

    const route = deepFreeze(routeSquareEvent(event.eventType, event.payload));
    if (route.kind === 'invalid') throw new InvalidEventError(route.reason);
    const handlers = this.handlers.forEvent(event.eventType, route, stringOrNull(event.payload.merchant_id));
    if (handlers.length === 0) {
      await this.events.markIgnored(eventId, route.kind === 'none' ? `ignored: ${route.reason}` : 'ignored');
      return 'ignored';
    }
    // Frozen, payload included: what the handlers see, and what forwarding sends, is what Square sent.
    const handlerEvent: HandlerEvent = deepFreeze({
      id: eventId,
      type: event.eventType,
      merchantId: stringOrNull(event.payload.merchant_id),
      createdAt: stringOrNull(event.payload.created_at),
      payload: event.payload,
    });
    // The network calls, before any transaction is open.
    if (event.eventType === REVOKED_EVENT) {
      const check = await this.revocations.check(handlerEvent.merchantId);
      if (!check.confirmed) return this.unconfirmed(handlerEvent, check.reason);
    }
    const fetched = deepFreeze(await this.fetch(route, handlerEvent));
    return this.apply(handlerEvent, event.bodyKey, route, fetched, handlers, context);
  }

  /** A revocation Square does not confirm (forged, or signed with a leaked key): nothing of it is applied. */
  private async unconfirmed(event: HandlerEvent, reason: string): Promise<ProcessOutcome> {
    this.logger.warn('revocation not confirmed by Square: the seller\'s tokens are kept, no handler runs', { eventId: event.id, merchantId: event.merchantId, reason });
    await this.events.markIgnored(event.id, `unconfirmed: ${reason}; tokens kept`);
    return 'unconfirmed';
  }

  /**
   * What Square's API says of the event's object(s): the retrieved object, or the catalog's changes,
   * read with the token of the event's merchant (MerchantTokenResolver).
   */
  private async fetch(route: EventRoute, event: HandlerEvent): Promise<Fetched> {
    if (route.kind !== 'retrieve' && route.kind !== 'catalog_changes') return { canonical: null, catalogChanges: [] };
    const auth = await this.tokens.tokenFor(event.merchantId);
    try {
      return await this.fetchWith(auth.token, route, event);
    } catch (err) {
      // A seller's own token refused: retrying with it cannot help until the seller authorizes again.
      if (auth.stored && event.merchantId !== null && err instanceof SquareApiError && err.status === 401) throw await this.tokens.rejected(event.merchantId, err.message);
      throw err;
    }
  }

  private async fetchWith(token: string, route: EventRoute, event: HandlerEvent): Promise<Fetched> {
    if (route.kind === 'retrieve') {
      if (!isRetrievable(route.objectType)) throw new InvalidEventError(`no retriever for ${route.objectType}`);
      return { canonical: await this.square.retrieve(route.objectType, route.id, token), catalogChanges: [] };
    }
    if (route.kind === 'catalog_changes') {
      // Since the last change stored; the first time, since just before this version.
      const last = await this.applies.lastChange(route.objectType, event.merchantId);
      const version = route.versionUpdatedAt ? new Date(route.versionUpdatedAt) : new Date();
      const since = last ?? new Date((Number.isNaN(version.getTime()) ? Date.now() : version.getTime()) - 1000);
      const { objects, complete } = await this.square.searchCatalogChanges(since, token);
      if (!complete) this.logger.warn('catalog search stopped at its page limit; the next catalog version fetches the rest', { eventId: event.id, objects: objects.length });
      return { canonical: null, catalogChanges: objects };
    }
    return { canonical: null, catalogChanges: [] };
  }

  /** `bodyKey`: a legacy v1 event's, whose body may have applied this object before (claimBody). */
  private async apply(event: HandlerEvent, bodyKey: string | null, route: EventRoute, fetched: Fetched, handlers: AppliedHandler[], context: ProcessContext): Promise<ProcessOutcome> {
    const { attempt } = context;
    const { canonical, catalogChanges } = fetched;
    let running = '';
    try {
      return await this.applies.inApplyTransaction(event.id, this.timeoutMs, async (tx) => {
        // The claim marks the event processed too: nothing of it stays unless everything below succeeds.
        const claimed = await tx.claim(attempt, handlers.filter((h) => h.team).map((h) => h.name));
        if (!claimed) return 'duplicate';
        // A repeat of a v1 body (only its unsigned timestamp differs) with no newer object: nothing to apply.
        if (bodyKey !== null && !(await tx.claimBody(bodyKey, canonical?.json ?? null))) {
          await tx.setOutcome('duplicate');
          return 'duplicate';
        }
        let outcome: 'applied' | 'unchanged' = 'applied';
        // Shared by the handlers, which run one after the other: already frozen with what it comes from
        // (the fetched object, the route, the payload), so none can change what the next one sees.
        const object = canonical?.object ?? snapshotObject(route, event.payload);
        for (const handler of handlers) {
          // `events rerun` applied this handler to this event already: never twice.
          if (handler.team && !claimed.has(handler.name)) continue;
          running = handler.name;
          context.handlers.push(handler.name);
          const ctx = { event, object, sql: tx.sqlFor(handler.name), attempt, logger: handlerLogger(handler.name, event.id), tx, route, canonical, catalogChanges, unchanged: () => (outcome = 'unchanged') };
          try {
            await traceHandler(handler.name, () => handler.handle(ctx));
          } catch (err) {
            throw new HandlerError(handler.name, err);
          }
        }
        running = '';
        return outcome;
      });
    } catch (err) {
      if (err instanceof TransactionLeftError) throw new HandlerError(err.culprits, err);
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

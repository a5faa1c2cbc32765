import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  EventAttemptsRepository,
  EventStatusRepository,
  EventTransactions,
  STATUS,
  TransactionLeftError,
  statement,
  type EventTransaction,
} from '@app/database';
import { deepFreeze, type HandlerEvent } from '@app/handlers';
import { errorMessage } from '@app/observability';
import { routeSquareEvent, snapshotObject, stringOrNull, type EventRoute } from '@app/square';
import { TimeoutError } from '@app/timeouts';
import { traceHandler } from '@app/tracing';
import { HandlerError, HandlerTimeoutError, handlerLogger, type ObjectWrite } from '../handlers/applied-handler.js';
import { HandlerRegistry, type EventHandlers } from '../handlers/handler-registry.js';
import { REVOKED_EVENT, RevocationVerifier } from '../merchants/revocation.verifier.js';
import { AttemptFailedError, InvalidEventError } from './attempt-errors.js';
import { SquareObjectFetcher, type Fetched } from './square-object.fetcher.js';

/**
 * applied: the handlers ran (the mirror wrote); unchanged: they ran, the mirror had a newer row;
 * unconfirmed: a revocation Square does not confirm, ignored (the seller's tokens stay).
 */
export type ProcessOutcome = 'applied' | 'unchanged' | 'duplicate' | 'ignored' | 'unconfirmed' | 'skipped';

/** What one attempt came to, for the caller's logs and metrics; event_attempts has its row already. */
export interface Processed {
  outcome: ProcessOutcome;
  eventType: string;
}

/** SQUARE_EVENT_HANDLER_TIMEOUT_MS: how long one event's transaction may take, handlers included. */
export const APPLY_TIMEOUT_MS = Symbol('APPLY_TIMEOUT_MS');

// The claim: event_claims' primary key makes a second claim of one event impossible; a concurrent
// attempt waits for the first to commit or roll back, then finds the row (no row comes back) or
// takes it; in the same transaction (two jobs of one event in one batch) it sees the row at once. In the same statement: the team's handlers claim (handler, event), and a pair `events
// rerun` applied already comes back in applied_before (that handler is skipped); and a legacy v1
// event's body claims the object it applies (body_key null for every other event). A v1 body
// carries no id nor version and its event id hashes an unsigned timestamp: the same signed body
// can come back as a new event. It applies an object once per version, by the mirror's rule (the
// integer version when both have one, else a later updated_at); an object with neither is
// applied by the body's first event only. A concurrent repeat waits on the row, then compares
// with what committed. new_body false: a repeat with nothing new to apply. (Exported for tests.)
export const CLAIM_EVENT = statement<
  { event_id: string; handlers: string[]; body_key: string | null; object: string | null },
  { applied_before: string[]; new_body: boolean }
>(
  'claim-event',
  `
  WITH claim AS (
    INSERT INTO event_claims (event_id) VALUES (:event_id) ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ), handled AS (
    INSERT INTO handler_claims (handler, event_id) SELECT h, event_id FROM claim, unnest(:handlers::text[]) AS h
    ON CONFLICT DO NOTHING RETURNING handler
  ), body AS (
    INSERT INTO legacy_body_applies AS b (body_key, version, square_updated_at, event_id)
    SELECT :body_key::text, CASE WHEN jsonb_typeof(o->'version') = 'number' THEN (o->>'version')::numeric::bigint END,
      (o->>'updated_at')::timestamptz, event_id
    FROM claim, (SELECT :object::jsonb AS o) AS canonical
    WHERE :body_key::text IS NOT NULL
    ON CONFLICT (body_key) DO UPDATE SET
      version = EXCLUDED.version, square_updated_at = EXCLUDED.square_updated_at, event_id = EXCLUDED.event_id, applied_at = now()
    WHERE (EXCLUDED.version IS NOT NULL AND b.version IS NOT NULL AND EXCLUDED.version > b.version)
       OR ((EXCLUDED.version IS NULL OR b.version IS NULL)
           AND EXCLUDED.square_updated_at > COALESCE(b.square_updated_at, '-infinity'::timestamptz))
    RETURNING body_key
  )
  SELECT ARRAY(SELECT unnest(:handlers::text[]) EXCEPT SELECT handler FROM handled) AS applied_before,
    (:body_key::text IS NULL OR EXISTS (SELECT 1 FROM body)) AS new_body
  FROM claim`,
);

// The event's outcome, written once, last in its transaction, with the attempt's record: the
// event is marked processed only when this attempt claimed it (:claimed), and only from received.
const FINISH = statement<{
  event_id: string;
  received_at: Date;
  claimed: boolean;
  outcome: ProcessOutcome;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  handlers: string[];
}>(
  'finish-event',
  `
  WITH mark AS (
    UPDATE webhook_events SET status = '${STATUS.processed}', outcome = :outcome, attempts = :attempt, processed_at = now(), updated_at = now()
    WHERE event_id = :event_id AND received_at = :received_at AND :claimed::boolean AND status = '${STATUS.received}'
  )
  INSERT INTO event_attempts (event_id, attempt, started_at, duration_ms, outcome, error, handlers)
  VALUES (:event_id, :attempt, :started_at, :duration_ms, :outcome, NULL, :handlers::text[])`,
);

/** When the attempt started, for its record. */
interface Clock {
  at: Date;
  started: number;
}

/**
 * One event, start to end: read the inbox row, route it, retrieve the canonical object from Square
 * (the network call, outside any transaction), then ONE transaction that claims the event id, runs
 * every handler that wants it (the built-in mirror first, then the team's, in declaration order),
 * decides the event's outcome from what they returned and marks the event processed with it, the
 * attempt recorded in the same statement. Any handler failing, or the time limit passing, rolls
 * all of it back, the claim included, so the retry starts clean. Events no handler wants are
 * marked ignored. (Events ready together share a transaction, each in a savepoint of its own:
 * EventTransactions' group commit; this event's part reads, and fails, as if it were alone.)
 */
@Injectable()
export class ProcessSquareEventUseCase {
  private readonly logger = new Logger(ProcessSquareEventUseCase.name);

  constructor(
    private readonly events: EventStatusRepository,
    private readonly transactions: EventTransactions,
    private readonly attempts: EventAttemptsRepository,
    private readonly fetcher: SquareObjectFetcher,
    private readonly handlers: HandlerRegistry,
    private readonly revocations: RevocationVerifier,
    @Inject(APPLY_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** `attempt`: 1 for the first try. Fails with an AttemptFailedError. */
  async execute(eventId: string, attempt: number): Promise<Processed> {
    const clock: Clock = { at: new Date(), started: performance.now() };
    const event = await this.events.find(eventId).catch((err: unknown) => {
      throw new AttemptFailedError(err, 'unknown', []);
    });
    if (!event)
      throw new AttemptFailedError(new InvalidEventError(`event ${eventId} is not in the inbox`), 'unknown', []);
    const done = async (outcome: ProcessOutcome): Promise<Processed> => {
      await this.record(eventId, attempt, clock, outcome);
      return { outcome, eventType: event.eventType };
    };
    if (event.status !== 'received') return done('skipped'); // processed, ignored or dead-lettered already

    const route = deepFreeze(routeSquareEvent(event.eventType, event.payload));
    if (route.kind === 'invalid')
      throw new AttemptFailedError(new InvalidEventError(route.reason), event.eventType, []);
    const wanted = this.handlers.forEvent(event.eventType, route, stringOrNull(event.payload.merchant_id));
    try {
      if (wanted.handlers.length === 0) {
        await this.events.markIgnored(eventId, route.kind === 'none' ? `ignored: ${route.reason}` : 'ignored');
        return await done('ignored');
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
        if (!check.confirmed) {
          this.logger.warn("revocation not confirmed by Square: the seller's tokens are kept, no handler runs", {
            eventId,
            merchantId: handlerEvent.merchantId,
            reason: check.reason,
          });
          await this.events.markIgnored(eventId, `unconfirmed: ${check.reason}; tokens kept`);
          return await done('unconfirmed');
        }
      }
      const fetched = deepFreeze(await this.fetcher.fetch(route, handlerEvent));
      const outcome = await this.apply({
        event: handlerEvent,
        bodyKey: event.bodyKey,
        receivedAt: event.receivedAt,
        route,
        fetched,
        wanted,
        attempt,
        clock,
      });
      return { outcome, eventType: event.eventType };
    } catch (err) {
      throw err instanceof AttemptFailedError ? err : new AttemptFailedError(err, event.eventType, []);
    }
  }

  /** The attempt of an event that opened no transaction; failing to record it changes nothing of what it did. */
  private async record(eventId: string, attempt: number, clock: Clock, outcome: ProcessOutcome): Promise<void> {
    const durationMs = Math.round(performance.now() - clock.started);
    await this.attempts
      .record({ eventId, attempt, startedAt: clock.at, durationMs, outcome, error: null, handlers: [] })
      .catch((err: unknown) => {
        this.logger.warn('could not record the attempt', { eventId, attempt, error: errorMessage(err) });
      });
  }

  /** The transaction: claim, handlers, then the outcome decided once and written with the attempt. */
  private async apply(a: Applying): Promise<ProcessOutcome> {
    const {
      event,
      route,
      fetched: { canonical, catalogChanges },
      wanted,
      attempt,
    } = a;
    const ran: string[] = [];
    let running = '';
    try {
      return await this.transactions.inEventTransaction(event.id, this.timeoutMs, async (tx) => {
        const claim = (
          await tx.run(CLAIM_EVENT, {
            event_id: event.id,
            handlers: wanted.claimed,
            body_key: a.bodyKey,
            object: a.bodyKey === null ? null : (canonical?.json ?? null),
          })
        ).rows[0];
        if (claim === undefined) return this.finish(tx, a, false, 'duplicate', ran);
        // A repeat of a v1 body (only its unsigned timestamp differs) with no newer object: nothing to apply.
        if (!claim.new_body) return this.finish(tx, a, true, 'duplicate', ran);
        // Shared by the handlers, which run one after the other: already frozen with what it comes from
        // (the fetched object, the route, the payload), so none can change what the next one sees.
        const object = canonical?.object ?? snapshotObject(route, event.payload);
        const writes: ObjectWrite[] = [];
        for (const handler of wanted.handlers) {
          // `events rerun` applied this handler to this event already: never twice.
          if (claim.applied_before.includes(handler.name)) continue;
          running = handler.name;
          ran.push(handler.name);
          const ctx = {
            event,
            object,
            sql: tx.sqlFor(handler.name),
            attempt,
            logger: handlerLogger(handler.name, event.id),
            tx,
            route,
            canonical,
            catalogChanges,
          };
          try {
            writes.push(...((await traceHandler(handler.name, () => handler.handle(ctx))) ?? []));
          } catch (err) {
            throw new HandlerError(handler.name, err);
          }
        }
        running = '';
        // Unchanged: the handlers that store objects found each one stored already, as new or newer.
        return this.finish(
          tx,
          a,
          true,
          writes.length > 0 && !writes.includes('written') ? 'unchanged' : 'applied',
          ran,
        );
      });
    } catch (err) {
      throw new AttemptFailedError(this.failure(err, running), event.type, ran);
    }
  }

  /** FINISH rides in COMMIT's message (one round trip fewer); if it fails, nothing commits. */
  private finish(
    tx: EventTransaction,
    a: Applying,
    claimed: boolean,
    outcome: ProcessOutcome,
    ran: readonly string[],
  ): ProcessOutcome {
    const duration_ms = Math.round(performance.now() - a.clock.started);
    tx.runBeforeCommit(FINISH, {
      event_id: a.event.id,
      received_at: a.receivedAt,
      claimed,
      outcome,
      attempt: a.attempt,
      started_at: a.clock.at,
      duration_ms,
      handlers: [...ran],
    });
    return outcome;
  }

  /** What a failed transaction says to the event's last_error. */
  private failure(err: unknown, running: string): unknown {
    // Found at the commit: any of the handlers that ran SQL may have ended the transaction.
    if (err instanceof TransactionLeftError) return new HandlerError(err.culprits, err);
    if (!(err instanceof TimeoutError)) return err;
    const where = running ? `handler "${running}" did not finish` : 'the event was not applied';
    return new HandlerTimeoutError(
      `${where} within ${this.timeoutMs} ms (SQUARE_EVENT_HANDLER_TIMEOUT_MS); rolled back`,
    );
  }
}

interface Applying {
  event: HandlerEvent;
  /** A legacy v1 event's, whose body may have applied this object before (CLAIM). */
  bodyKey: string | null;
  /** Its month (the partition key): FINISH updates that partition only. */
  receivedAt: Date;
  route: EventRoute;
  fetched: Fetched;
  wanted: EventHandlers;
  attempt: number;
  clock: Clock;
}

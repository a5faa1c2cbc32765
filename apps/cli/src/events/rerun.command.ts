import type { EventsCliConfig } from '@app/config';
import {
  CLAIM_HANDLER,
  EventTransactions,
  countRerun,
  createPgPool,
  eventTypeLikePatterns,
  mirroredObject,
  rerunPage,
  type RerunEvent,
  type RerunFilter,
} from '@app/database';
import {
  deepFreeze,
  loadHandlerModules,
  runTeamHandler,
  type HandlerLogger,
  type JsonObject,
  type SquareEventHandler,
} from '@app/handlers';
import { routeSquareEvent, snapshotObject, type EventRoute } from '@app/square';
import { SquareApiClient, isRetrievable } from '@app/square-api';
import type { EventsCommand } from './events-args.js';
import { RerunProgress, type RerunCounts } from './rerun-progress.js';

export type RerunCommand = Extract<EventsCommand, { name: 'rerun' }>;

const PAGE = 200;

/**
 * One handler over stored events: each in a transaction of its own that claims (handler, event)
 * — the same claim the live apply path takes — then runs the handler as the worker would. A pair
 * claimed before (by the live path or an earlier run) is skipped: a second run applies nothing,
 * and a killed run resumes where it stopped. 0 done, 1 a handler failed (what it did is rolled back).
 */
export async function runRerun(cmd: RerunCommand, config: EventsCliConfig): Promise<number> {
  const loaded = await loadHandlerModules(config.handlers.modules, []);
  const handler = loaded.find((l) => l.handler.name === cmd.handler)?.handler;
  if (handler === undefined) {
    console.error(
      `events: no handler "${cmd.handler}" in SQUARE_EVENT_HANDLERS (${loaded.map((l) => l.handler.name).join(', ') || 'none loaded'})`,
    );
    return 1;
  }
  if (cmd.refetch && config.reconcile.accessToken === undefined) {
    console.error('events: --refetch reads from Square with SQUARE_ACCESS_TOKEN, which is not set');
    return 1;
  }
  const objects = objectSource(
    cmd.refetch ? { client: new SquareApiClient(config.reconcile), token: config.reconcile.accessToken! } : undefined,
  );
  const pool = createPgPool({ url: config.database.url, poolSize: 2 }, 5000);
  pool.on('error', () => undefined); // the query's own failure says it
  try {
    const filter: RerunFilter = {
      handler: handler.name,
      typePatterns: eventTypeLikePatterns(handler.eventTypes),
      types: cmd.types,
      since: cmd.since,
      until: cmd.until ?? new Date(),
    };
    const { total, applied } = await countRerun(pool, filter);
    console.log(
      `${handler.name}: ${total} processed event(s) in range, ${applied} applied by it already, ${total - applied} to apply${cmd.dryRun ? ' (--dry-run: nothing applied)' : ''}`,
    );
    if (cmd.dryRun) return 0;

    const applies = new EventTransactions(pool);
    const progress = new RerunProgress(total - applied, process.stdout.isTTY === true);
    const counts: RerunCounts = { applied: 0, skipped: 0, noObject: 0 };
    let after = { receivedAt: new Date(0), eventId: '' };
    for (
      let page = await rerunPage(pool, filter, after, PAGE);
      page.length > 0;
      page = await rerunPage(pool, filter, after, PAGE)
    ) {
      for (const event of page) {
        after = { receivedAt: event.receivedAt, eventId: event.eventId };
        try {
          counts[await applyOne(handler, event, (route) => objects(pool, route), applies, config.handlers.timeoutMs)] +=
            1;
        } catch (err) {
          progress.end(counts);
          console.error(
            `events: handler "${handler.name}" failed on event ${event.eventId}: ${(err as Error).message}. Nothing of that event was applied; fix it and run again (applied events are skipped).`,
          );
          return 1;
        }
        progress.tick(counts);
      }
    }
    progress.end(counts);
    return 0;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

type Pool = Parameters<typeof mirroredObject>[0];
type RetrievedObject = (route: EventRoute & { kind: 'retrieve' }) => Promise<Record<string, unknown> | undefined>;

/**
 * The object of a 'retrieve' event: as the mirror holds it now (the worker retrieved it when the
 * event came), or with --refetch as Square's API returns it now (the application's token; the
 * mirror is not written).
 */
function objectSource(refetch: { client: SquareApiClient; token: string } | undefined) {
  return async (pool: Pool, route: EventRoute & { kind: 'retrieve' }) => {
    if (refetch === undefined) return mirroredObject(pool, route.objectType, route.id);
    if (!isRetrievable(route.objectType)) return undefined;
    return (await refetch.client.retrieve(route.objectType, route.id, refetch.token)).object;
  };
}

async function applyOne(
  handler: SquareEventHandler,
  e: RerunEvent,
  retrieved: RetrievedObject,
  applies: EventTransactions,
  timeoutMs: number,
): Promise<keyof RerunCounts> {
  const payload = e.payload as JsonObject;
  const route = routeSquareEvent(e.eventType, payload);
  const object = route.kind === 'retrieve' ? await retrieved(route) : snapshotObject(route, payload);
  if (object === undefined) return 'noObject';
  const event = deepFreeze({
    id: e.eventId,
    type: e.eventType,
    merchantId: e.merchantId,
    createdAt: e.createdAt,
    payload,
  });
  const ran = await applies.inEventTransaction(e.eventId, timeoutMs, async (tx) => {
    if ((await tx.run(CLAIM_HANDLER, { handler: handler.name, event_id: e.eventId })).rows.length === 0) return false;
    await runTeamHandler(handler, {
      event,
      object: deepFreeze(object),
      sql: tx.sqlFor(handler.name),
      attempt: 1,
      logger: cliLogger(handler.name, e.eventId),
    });
    return true;
  });
  return ran ? 'applied' : 'skipped';
}

// The handler's warnings and errors reach the operator; its routine lines would drown the progress.
function cliLogger(handler: string, eventId: string): HandlerLogger {
  const say = (level: string) => (message: string) =>
    console.error(`${level} handler:${handler} ${eventId}: ${message}`);
  const quiet = () => undefined;
  return { log: quiet, debug: quiet, warn: say('warn'), error: say('error') };
}

// npm run events -- list [filters] [--json] | show <eventId> [--json] | deliveries list|show
// The console's data for terminals and scripts: the same queries (EventQueryRepository,
// DeliveryQueryRepository, EventAttemptsRepository) and the admin API's parameter checks.
import { BadRequestException, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadAppConfig, loadDotEnv } from '@app/config';
import { DatabaseModule, DeliveryQueryRepository, EventAttemptsRepository, EventQueryRepository } from '@app/database';
import { encodeCursor, parseListDeliveriesQuery, parseListEventsQuery } from '@app/events';
import { UsageError, parseStrict } from '../cli-args.js';

export const INSPECT_USAGE = `  list [--status s] [--type t|payment.*] [--source webhook|events_api] [--merchant m] [--object-id id]
       [--from <date>] [--to <date>] [--contains <json>] [--limit n] [--cursor c] [--json]
                                  events, newest first (the console's search); prints the next page's --cursor
  show <eventId> [--json]         one event: delivery headers, attempts, forward deliveries, payload
  deliveries list [--destination d] [--status s] [--event-id e] [--limit n] [--cursor c] [--json]
  deliveries show <deliveryId> [--json]`;

const OPTIONS = {
  status: { type: 'string' },
  type: { type: 'string' },
  source: { type: 'string' },
  merchant: { type: 'string' },
  'object-id': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  contains: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  destination: { type: 'string' },
  'event-id': { type: 'string' },
  json: { type: 'boolean' },
} as const;

// CLI option → the admin API's parameter of the same meaning.
const EVENT_PARAMS = {
  status: 'status',
  type: 'type',
  source: 'source',
  merchant: 'merchant',
  'object-id': 'objectId',
  from: 'receivedFrom',
  to: 'receivedTo',
  contains: 'contains',
  limit: 'limit',
  cursor: 'cursor',
} as const;
const DELIVERY_PARAMS = {
  destination: 'destination',
  status: 'status',
  'event-id': 'eventId',
  limit: 'limit',
  cursor: 'cursor',
} as const;

type Values = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

function queryOf(values: Values, names: Record<string, string>, command: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [option, value] of Object.entries(values)) {
    if (option === 'json') continue;
    const param = names[option];
    if (!param) throw new UsageError(`${command} does not take --${option}`);
    query[param] = String(value);
  }
  return query;
}

/** The problems a list's parameters have, as one usage error naming the CLI's options. */
function checked<T>(parse: () => T, names: Record<string, string>): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof BadRequestException)) throw err;
    // (Not @app/http's messageOf: its index would load Express into every CLI run.)
    let message = (err.getResponse() as { message: string[] }).message.join('; ');
    for (const [option, param] of Object.entries(names))
      message = message.replace(new RegExp(`\\b${param}\\b(?= must| is|: )`, 'g'), `--${option}`);
    throw new UsageError(message);
  }
}

const line = (...cells: Array<string | number | Date | null>) =>
  cells.map((c) => (c instanceof Date ? c.toISOString() : String(c ?? '-'))).join('  ');

/** undefined: not one of these commands. */
export async function runInspect(argv: readonly string[]): Promise<number | undefined> {
  const deliveries = argv[0] === 'deliveries' && (argv[1] === 'list' || argv[1] === 'show');
  if (!deliveries && argv[0] !== 'list' && argv[0] !== 'show') return undefined;
  const command = deliveries ? `deliveries ${argv[1]}` : argv[0]!;
  const { values, positionals } = parseStrict(argv.slice(deliveries ? 2 : 1), OPTIONS);
  const json = values.json === true;
  const show = command.endsWith('show');
  if (show && (positionals.length !== 1 || Object.keys(values).some((k) => k !== 'json')))
    throw new UsageError(`${command} takes one id (and --json)`);
  if (!show && positionals.length > 0)
    throw new UsageError(`${command} takes no positional argument (got "${positionals[0]}")`);
  // Checked before connecting: a typo is answered at once.
  const eventList =
    command === 'list'
      ? checked(() => parseListEventsQuery(queryOf(values, EVENT_PARAMS, command)), EVENT_PARAMS)
      : undefined;
  const deliveryList =
    command === 'deliveries list'
      ? checked(() => parseListDeliveriesQuery(queryOf(values, DELIVERY_PARAMS, command)), DELIVERY_PARAMS)
      : undefined;

  loadDotEnv();
  const config = loadAppConfig('eventsCli');
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ prisma: true })] })
  class InspectModule {}
  const app = await NestFactory.createApplicationContext(InspectModule, { logger: ['error', 'fatal'] });
  const print = (data: unknown, text: () => string[]) =>
    console.log(json ? JSON.stringify(data, null, 2) : text().join('\n'));
  try {
    const events = app.get(EventQueryRepository);
    const store = app.get(DeliveryQueryRepository);
    if (eventList) {
      const page = await events.list(eventList.filter, eventList.limit, eventList.after);
      const nextCursor = page.next ? encodeCursor(page.next) : null;
      print({ events: page.events, nextCursor }, () => [
        ...page.events.map((e) =>
          line(
            e.receivedAt,
            e.status,
            e.eventType,
            e.eventId,
            `attempts=${e.attempts}`,
            e.deadLetterReason ?? e.outcome,
          ),
        ),
        page.events.length === 0
          ? 'no event matches'
          : nextCursor
            ? `next page: --cursor ${nextCursor}`
            : '(last page)',
      ]);
      return 0;
    }
    if (deliveryList) {
      const page = await store.list(deliveryList.filter, deliveryList.limit, deliveryList.before);
      print({ deliveries: page.deliveries, nextCursor: page.next }, () => [
        ...page.deliveries.map((d) =>
          line(
            d.createdAt,
            d.id,
            d.destination,
            d.status,
            d.eventId,
            `attempts=${d.attempts}`,
            `last=${d.lastStatus ?? '-'}`,
            d.lastError,
          ),
        ),
        page.deliveries.length === 0
          ? 'no delivery matches'
          : page.next
            ? `next page: --cursor ${page.next}`
            : '(last page)',
      ]);
      return 0;
    }
    const id = positionals[0]!;
    if (command === 'deliveries show') {
      const delivery = /^\d{1,19}$/.test(id) ? await store.find(id) : null;
      if (!delivery) return notFound(`no delivery ${id}`);
      print(delivery, () => [
        line('delivery', delivery.id, 'to', delivery.destination, delivery.status),
        line('event', delivery.eventId, delivery.eventType),
        line('attempts', delivery.attempts, 'last status', delivery.lastStatus, 'last error', delivery.lastError),
        delivery.body,
      ]);
      return 0;
    }
    const event = await events.find(id);
    if (!event) return notFound(`no event ${id} in the inbox`);
    const attempts = await app.get(EventAttemptsRepository).forEvent(id);
    const listed = (await store.list({ eventIds: [id] }, 100)).deliveries;
    const tries = await store.attemptsOf(listed.map((d) => d.id));
    // Each delivery with its attempts (forward_attempts); the summary alone for deliveries older than that table.
    const forwarded = listed.map((d) => ({ ...d, attemptLog: tries.get(d.id) ?? [] }));
    print({ ...event, processingAttempts: attempts, deliveries: forwarded }, () => [
      line(event.eventId, event.eventType, event.status, event.source, event.merchantId),
      line(
        'received',
        event.receivedAt,
        'processed',
        event.processedAt,
        'dead-lettered',
        event.deadLetteredAt,
        event.deadLetterReason,
      ),
      ...attempts.map((a) =>
        line(
          `attempt ${a.attempt}`,
          a.startedAt,
          `${a.durationMs} ms`,
          a.outcome,
          a.handlers.join(',') || '-',
          a.error,
        ),
      ),
      ...forwarded.flatMap((d) =>
        d.attemptLog.length === 0
          ? [
              line(
                `delivery ${d.id}`,
                d.destination,
                d.status,
                `attempts=${d.attempts}`,
                `last=${d.lastStatus ?? '-'}`,
                d.lastError,
              ),
            ]
          : [
              line(`delivery ${d.id}`, d.destination, d.status),
              ...d.attemptLog.map((a) =>
                line('  tried', a.at, a.statusCode ?? 'no answer', `${a.latencyMs} ms`, a.error),
              ),
            ],
      ),
      event.rawBody,
    ]);
    return 0;
  } finally {
    await app.close();
  }
}

function notFound(message: string): number {
  console.error(`events: ${message}`);
  return 1;
}

import type { SquareCliConfig } from '@app/config';
import { createPgPool, findEventOutcome, type EventOutcome } from '@app/database';
import { deliver } from './square-delivery.js';
import type { SquareCommand } from './square-args.js';
import { signingKey } from './signing-keys.js';
import { buildTriggerEvent, parseSet, type TriggerEvent } from './trigger-event.js';

export type TriggerCommand = Extract<SquareCommand, { name: 'trigger' }>;

const WAIT_MS = 30_000;

/**
 * Builds --count events of the type, seeds the fake Square API (SQUARE_BASE_URL) with the objects
 * the worker will retrieve, signs and POSTs each as `send` does; then, when Postgres
 * (DATABASE_URL) answers, waits for each outcome and prints it. 0 when all were accepted and none
 * failed.
 */
export async function runTrigger(cmd: TriggerCommand, config: SquareCliConfig): Promise<number> {
  const sets = cmd.sets.map(parseSet);
  const notificationUrl = cmd.url ?? config.notificationUrl;
  const to = cmd.to ?? notificationUrl;
  const key = signingKey(cmd.keys, config);
  const sent: TriggerEvent[] = [];
  for (let i = 0; i < cmd.count; i++) {
    const event = buildTriggerEvent(cmd.type, { merchantId: cmd.merchant, sets });
    if (event.seed && config.squareBaseUrl) await seed(config.squareBaseUrl, event.seed);
    const res = await deliver({ to, notificationUrl, key: key.key, algorithm: 'sha256', body: event.body });
    console.log(
      `sent ${event.type} ${event.eventId} to ${to} (signed with ${key.label}): ${res.status} ${res.statusText}${event.seed ? `; object ${event.seed.objectType} ${event.seed.id}` : ''}`,
    );
    if (res.status < 200 || res.status >= 300) {
      console.error(`square: ${to} answered ${res.status} ${res.statusText}: ${res.body}`);
      return 1;
    }
    sent.push(event);
  }
  return waitAndReport(config.database.url, sent);
}

/** PUT the object into the fake Square API; a real Square (or no fake) refuses it, which is said once and not fatal. */
async function seed(baseUrl: string, s: NonNullable<TriggerEvent['seed']>): Promise<void> {
  const url = `${baseUrl.replace(/\/$/, '')}/_fake/objects/${encodeURIComponent(s.objectType)}/${encodeURIComponent(s.id)}`;
  const res = await fetch(url, {
    method: 'PUT',
    body: JSON.stringify(s.object),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (res === undefined || !res.ok)
    console.log(
      `note: could not seed ${s.objectType} ${s.id} at SQUARE_BASE_URL (not the fake Square API?): the worker retrieves it from there`,
    );
}

async function waitAndReport(databaseUrl: string, events: readonly TriggerEvent[]): Promise<number> {
  const pool = createPgPool({ url: databaseUrl, poolSize: 1 }, 3000);
  pool.on('error', () => undefined);
  try {
    try {
      await pool.query('SELECT 1');
    } catch {
      console.log('not waiting for the outcome: Postgres (DATABASE_URL) does not answer here');
      return 0;
    }
    let failed = 0;
    for (const event of events) {
      const outcome = await settled(pool, event.eventId);
      console.log(`${event.eventId}: ${describe(outcome)}`);
      if (outcome?.status === 'dead_lettered') failed += 1;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function settled(
  pool: Parameters<typeof findEventOutcome>[0],
  eventId: string,
): Promise<EventOutcome | undefined> {
  const deadline = Date.now() + WAIT_MS;
  let outcome: EventOutcome | undefined;
  while (Date.now() < deadline) {
    outcome = await findEventOutcome(pool, eventId);
    if (outcome !== undefined && outcome.status !== 'received') return outcome;
    await new Promise((r) => setTimeout(r, 200));
  }
  return outcome;
}

function describe(o: EventOutcome | undefined): string {
  if (o === undefined)
    return `not in the inbox after ${WAIT_MS / 1000} s (is the ingress writing to this DATABASE_URL?)`;
  if (o.status === 'received')
    return `still received after ${WAIT_MS / 1000} s (is the worker running?)${o.lastError ? `; last error: ${o.lastError}` : ''}`;
  if (o.status === 'dead_lettered') return `dead_lettered (${o.deadLetterReason}): ${o.lastError}`;
  const handlers = o.handlers.length > 0 ? o.handlers.join(', ') : 'none of yours';
  const deliveries =
    o.deliveries.length > 0 ? o.deliveries.map((d) => `${d.destination} ${d.status}`).join(', ') : 'none';
  return `${o.status} (${o.outcome}); handlers run: ${handlers}; deliveries: ${deliveries}`;
}

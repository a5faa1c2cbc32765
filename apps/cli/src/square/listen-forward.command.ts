import { randomBytes } from 'node:crypto';
import { TEMPORARY_DESTINATION_PREFIX, type SquareCliConfig } from '@app/config';
import { ListenDestinationsRepository, createPgPool, type ListenAttempt } from '@app/database';
import { forwardQueue } from '@app/queue';
import { databaseName } from './captured-events.js';
import type { SquareCommand } from './square-args.js';

export type ListenForwardCommand = Extract<SquareCommand, { name: 'listen-forward' }>;

// The lease a worker honours: renewed every RENEW_MS, so a CLI killed without its cleanup (kill -9,
// a closed laptop) leaves a destination that the workers remove within LEASE_MS.
const LEASE_MS = 15_000;
const RENEW_MS = 3000;
// How often the attempts are read (each printed once, in order).
const PRINT_MS = 500;
// A worker records a destination it starts within a second or so; past this, say so once.
const PICKUP_PATIENCE_MS = 5000;

interface Tally {
  deliveries: Set<string>;
  delivered: number;
  failed: number;
}

/**
 * `square listen --forward-to <url>`: registers a temporary destination with the running pipeline
 * (listen_destinations; the workers pick it up without a restart), prints the secret its requests
 * are signed with and one line per attempt, and on Ctrl-C removes it with its deliveries.
 */
export async function runListenForward(
  cmd: ListenForwardCommand,
  config: SquareCliConfig,
  out: (line: string) => void = console.log,
): Promise<number> {
  const database = databaseName(config.database.url);
  const pool = createPgPool({ ...config.database, poolSize: 2 }, 5000);
  pool.on('error', () => undefined); // each query's own failure says it
  const repository = new ListenDestinationsRepository(pool);
  const name = `${TEMPORARY_DESTINATION_PREFIX}${randomBytes(4).toString('hex')}`;
  // Standard Webhooks: whsec_ + base64 of random bytes (32, as Svix makes them).
  const secret = cmd.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
  try {
    await repository.register({ name, url: cmd.forwardTo, secret, eventTypes: cmd.events }, LEASE_MS);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `cannot register the destination in Postgres (database "${database}"): ${(err as Error).message}${hintOf(err)}`,
      { cause: err },
    );
  }
  out(`destination ${name}: forwarding ${cmd.events.join(', ')} to ${cmd.forwardTo}`);
  out(`signing secret (Standard Webhooks; verify each request with it): ${secret}`);

  const tally: Tally = { deliveries: new Set(), delivered: 0, failed: 0 };
  let after = '0';
  const printNew = async () => {
    for (const attempt of await repository.attemptsAfter(name, after)) {
      after = attempt.id;
      tally.deliveries.add(attempt.eventId);
      if (attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300) tally.delivered++;
      else tally.failed++;
      out(deliveryLine(attempt));
    }
  };

  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('interrupted'));
    process.once('SIGTERM', () => resolve('terminated'));
  });
  const started = Date.now();
  let ready = false;
  let warned = false;
  let lastRenew = Date.now();
  let failure: string | undefined;
  let problem: string | undefined;
  for (;;) {
    const reason = await Promise.race([stopped, sleep(ready ? PRINT_MS : 250).then(() => undefined)]);
    if (reason !== undefined) break;
    try {
      if (!ready && (ready = await repository.pickedUp(name)))
        out('ready: the worker forwards each event it processes from now on (Ctrl-C to stop)');
      else if (!ready && !warned && Date.now() - started > PICKUP_PATIENCE_MS) {
        warned = true;
        out(`no worker has picked it up yet: is the worker running against database "${database}"? (still waiting)`);
      }
      await printNew();
      if (Date.now() - lastRenew >= RENEW_MS) {
        if (!(await repository.renew(name, LEASE_MS))) {
          failure = `the destination's lease lapsed and a worker removed it (was this process suspended, or Postgres unreachable for ${LEASE_MS / 1000} s?)`;
          break;
        }
        lastRenew = Date.now();
      }
      problem = undefined;
    } catch (err) {
      // Postgres unreachable for a moment: the lease outlasts a few failed renewals.
      const message = (err as Error).message;
      if (message !== problem) console.error(`square listen: cannot reach Postgres (${message}); retrying`);
      problem = message;
    }
  }

  try {
    await printNew().catch(() => undefined);
    const purged = await repository.purge([name], forwardQueue);
    out(
      `stopped: ${tally.deliveries.size} event(s) forwarded, ${tally.delivered} delivered, ${tally.failed} failed attempt(s); destination ${name} removed with its ${purged} deliveries`,
    );
  } catch (err) {
    failure ??= `cannot remove destination ${name} (${(err as Error).message}): the workers remove it when its lease lapses, within ${LEASE_MS / 1000} s`;
  } finally {
    await pool.end().catch(() => undefined);
  }
  if (failure !== undefined) {
    console.error(`square listen: ${failure}`);
    return 1;
  }
  return 0;
}

/** One attempt: when, the event's type and id, the answer (status or why none), the latency. */
export function deliveryLine(a: ListenAttempt): string {
  const ok = a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300;
  const answer = a.statusCode !== null ? String(a.statusCode) : 'no answer';
  const then = ok ? '' : a.deliveryStatus === 'dead_lettered' ? ', dead-lettered' : ', will retry';
  const why = !ok && a.error ? ` (${a.error})` : '';
  return `${a.at.toISOString()} ${a.eventType} ${a.eventId} ${answer} ${a.latencyMs} ms${a.attempt > 1 ? ` attempt ${a.attempt}` : ''}${then}${why}`;
}

function hintOf(err: unknown): string {
  // The table comes with a migration: a pipeline not migrated since says so this way.
  return (err as { code?: string }).code === '42P01'
    ? ' (run `npm run db:migrate`: listen_destinations is missing)'
    : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

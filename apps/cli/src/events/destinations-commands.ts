import type { AttemptStats } from '@app/database';
import type { DestinationControlUseCase, DestinationStatus } from '@app/events';
import type { DestinationsCommand } from './destinations-args.js';

/** Who acts, in the log and in paused_by. */
const BY = 'cli';

/**
 * Runs a destinations command against Postgres (the workers follow within a second); resolves with
 * the exit code. `configured`: the names in FORWARD_DESTINATIONS_FILE.
 */
export async function runDestinationsCommand(
  control: DestinationControlUseCase,
  command: DestinationsCommand,
  configured: readonly string[],
): Promise<number> {
  if (command.name === 'destinations') {
    const list = await control.list(configured);
    if (list.length === 0) console.log('no destinations');
    for (const d of list) console.log(describe(d));
    return 0;
  }
  if (command.name === 'retry-now') {
    const unknown = command.destination && !configured.includes(command.destination);
    if (unknown) return notConfigured(command.destination!, configured);
    const result = await control.retryNow(
      command.ids.length > 0
        ? { ids: command.ids }
        : { destinations: command.destination ? [command.destination] : configured },
    );
    for (const name of result.paused)
      console.error(`events: ${name} is paused: nothing is sent to it until \`destinations resume ${name}\``);
    for (const id of result.notPending) console.error(`events: no pending delivery ${id}`);
    console.log(
      `${result.due} delivery(ies) due now${result.destinations.length ? ` (${result.destinations.join(', ')})` : ''}`,
    );
    return result.notPending.length > 0 ? 1 : 0;
  }
  const name = command.destination;
  if (!configured.includes(name)) return notConfigured(name, configured);
  const done =
    command.name === 'destinations-pause'
      ? await control.pause(name, BY, command.reason)
      : await control.resume(name, BY);
  if (done.result === 'not_found') return notConfigured(name, configured);
  console.log(`${name}: ${done.status.state}`);
  return 0;
}

function notConfigured(name: string, configured: readonly string[]): number {
  console.error(
    `events: no destination "${name}" in FORWARD_DESTINATIONS_FILE (it lists ${configured.join(', ') || 'none'})`,
  );
  return 1;
}

function describe(d: DestinationStatus): string {
  const state =
    d.state === 'failing' && d.retryingAt
      ? `failing, next probe ${d.retryingAt.toISOString()}`
      : d.state === 'paused'
        ? `paused by ${d.pausedBy ?? '?'}${d.pauseReason ? ` (${d.pauseReason})` : ''}`
        : d.state;
  return [
    `${d.name}${d.configured ? '' : ' (removed from the file; pending deliveries kept)'}: ${state} since ${d.since.toISOString()}`,
    `  backlog ${d.backlog}; last 5 min: ${stats(d.last5m)}; last 60 min: ${stats(d.last60m)}`,
    ...(d.lastError ? [`  last error: ${d.lastError}`] : []),
  ].join('\n');
}

function stats(s: AttemptStats): string {
  if (s.attempts === 0) return 'no attempts';
  return `${s.attempts} attempts, ${((100 * s.succeeded) / s.attempts).toFixed(1)} % ok, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`;
}

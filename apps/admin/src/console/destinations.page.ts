import type { AttemptStats } from '@app/database';
import type { DestinationStatus } from '@app/events';
import { href, html, type Html } from './html.js';
import { badge, page, table, time } from './layout.js';

/** What an operator can do to a destination from the console, each after a confirmation page. */
export const DESTINATION_ACTIONS = {
  pause: { button: 'Pause', confirm: 'Pause this destination', done: 'paused' },
  resume: { button: 'Resume', confirm: 'Resume this destination', done: 'resumed' },
  'retry-now': { button: 'Retry now', confirm: 'Retry its pending deliveries now', done: 'retried now' },
} as const;
export type DestinationAction = keyof typeof DESTINATION_ACTIONS;

export function destinationHref(name: string, action?: DestinationAction): string {
  return `/destinations/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
}

/** The state, and what explains it: until when a failing one waits, who paused one and why. */
export function destinationState(d: DestinationStatus): Html {
  const why =
    d.state === 'failing'
      ? html` · next try ${time(d.retryingAt)}`
      : d.state === 'paused'
        ? html` by ${d.pausedBy ?? 'unknown'}${d.pauseReason ? html` (${d.pauseReason})` : ''}`
        : '';
  const removed = d.configured ? '' : html` <span class="badge removed">removed</span>`;
  return html`${badge(d.state)}${removed}<br /><span class="muted">since ${time(d.since)}${why}</span>`;
}

function stats(s: AttemptStats): Html {
  if (s.attempts === 0) return html`<span class="muted">no attempt</span>`;
  const rate = Math.round((1000 * s.succeeded) / s.attempts) / 10;
  const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
  return html`${rate}% of ${s.attempts}<br /><span class="muted">p50 ${ms(s.p50Ms)} · p99 ${ms(s.p99Ms)}</span>`;
}

function actions(d: DestinationStatus): Html {
  if (!d.configured) return html`<span class="muted">not in the file: its pending deliveries are kept</span>`;
  const offered: DestinationAction[] = d.state === 'paused' ? ['resume'] : ['pause', 'retry-now'];
  return html`<div class="actions">
    ${offered.map((a) => html`<a class="button${a === 'pause' ? ' secondary' : ''}" href="${destinationHref(d.name, a)}">${DESTINATION_ACTIONS[a].button}…</a>`)}
  </div>`;
}

/** Every destination: configured ones, and removed ones that still have pending deliveries. */
export function destinationsPage(list: readonly DestinationStatus[], problem?: string, notice?: string): Html {
  const rows = list.map((d) => [
    html`<b>${d.name}</b>`,
    destinationState(d),
    d.backlog,
    stats(d.last5m),
    stats(d.last60m),
    d.lastError ? html`<span class="err">${d.lastError}</span>` : html`<span class="muted">—</span>`,
    actions(d),
  ]);
  const content = html`<h1>Destinations</h1>
    ${problem ? html`<p class="card err">${problem}</p>` : ''}
    ${table('Forwarding destinations', ['Destination', 'State', 'Backlog', 'Last 5 min', 'Last 60 min', 'Last error', 'Actions'], rows, 'No destination is configured (FORWARD_DESTINATIONS_FILE).')}
    <p class="muted">
      Success rate is the share of attempts answered 2xx; latency covers every attempt. Workers see a change within a
      second. A delivery's attempts are on its event's page (<a href="${href('/events')}">events</a>).
    </p>`;
  return page('Destinations', '/destinations', content, notice ? { text: notice } : undefined);
}

const EXPLAIN: Record<DestinationAction, string> = {
  pause: 'Nothing is sent to it until it is resumed; its deliveries wait for it.',
  resume: 'Its waiting deliveries are due at once and sent as fast as its limits allow.',
  'retry-now':
    'Its pending deliveries are due now; a failing destination is probed first, and the rest follow once it answers.',
};

/** The confirmation step of a destination's action (as the event Replay's). */
export function destinationConfirmPage(d: DestinationStatus, action: DestinationAction): Html {
  const content = html`<h1>${DESTINATION_ACTIONS[action].button} ${d.name}?</h1>
    <div class="card">
      <p>Now ${destinationState(d)}, ${d.backlog} pending deliveries.</p>
      <p>${EXPLAIN[action]}</p>
      <form method="post" action="${destinationHref(d.name, action)}" class="actions">
        <button type="submit" class="${action === 'pause' ? 'danger' : ''}">
          ${DESTINATION_ACTIONS[action].confirm}
        </button>
        <a class="button secondary" href="/destinations">Cancel</a>
      </form>
    </div>`;
  return page(`${DESTINATION_ACTIONS[action].button} ${d.name}`, '/destinations', content);
}

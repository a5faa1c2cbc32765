import type { Overview } from '@app/database';
import type { DestinationStatus } from '@app/events';
import { destinationState } from './destinations.page.js';
import { href, html, type Html } from './html.js';
import { ago, page, table, time } from './layout.js';

function stat(n: number | string, label: string, link?: string): Html {
  return html`<div class="stat">
    <span class="n">${link ? html`<a href="${link}">${n}</a>` : n}</span><span class="l">${label}</span>
  </div>`;
}

/** `destinations`: DestinationControlUseCase's list (configured ones, and removed ones still holding deliveries). */
export function overviewPage(o: Overview, destinations: readonly DestinationStatus[], now = Date.now()): Html {
  const names = [...new Set([...destinations.map((d) => d.name), ...o.deliveries.map((d) => d.destination)])];
  const destinationRows = names.map((name) => {
    const rows = o.deliveries.filter((d) => d.destination === name);
    const count = (status: string) => rows.find((r) => r.status === status)?.count ?? 0;
    const status = destinations.find((d) => d.name === name);
    const lastError = status?.lastError ?? rows.find((r) => r.lastError)?.lastError;
    return [
      html`<a href="/destinations">${name}</a>`,
      status ? destinationState(status) : html`<span class="muted">removed</span>`,
      count('delivered'),
      count('pending'),
      count('dead_lettered'),
      lastError ? html`<span class="err">${lastError}</span>` : '',
    ];
  });
  const reconcilerRows = o.reconcilers.map((r) => [
    r.name,
    time(r.lastRunAt),
    time(r.checkedUntil),
    r.lastFound,
    r.lastRecovered,
  ]);
  const dayAgo = new Date(now - 86_400_000).toISOString();
  const content = html`<h1>Overview</h1>
    <h2>Last hour</h2>
    <div class="grid">
      ${stat(o.receivedHour, 'events received')} ${stat(o.processedHour, 'of them processed')}
      ${stat(o.deadLetteredHour, 'of them dead-lettered', '/dead-letters')}
    </div>
    <h2>Last 24 hours</h2>
    <div class="grid">
      ${stat(o.receivedDay, 'events received', href('/events', { receivedFrom: dayAgo }))}
      ${stat(o.processedDay, 'of them processed')} ${stat(o.deadLetteredDay, 'of them dead-lettered', '/dead-letters')}
      ${stat(o.webhookGapDay, 'only the Events API had (webhook gap)', href('/events', { source: 'events_api' }))}
      ${stat(o.invalidDay, 'rejected deliveries (signed, unreadable)', '/signature-failures')}
    </div>
    <h2>Now</h2>
    <div class="grid">
      ${stat(o.waiting, 'events waiting to be processed', href('/events', { status: 'received' }))}
      ${stat(o.oldestWaitingAt ? ago(o.oldestWaitingAt, now) : '—', 'queue lag (oldest waiting)')}
      ${stat(o.sellersNeedingReauth, 'sellers needing re-authorisation', '/sellers')}
    </div>
    <h2>Destinations <span class="muted">(deliveries created in the last 24 hours)</span></h2>
    ${table('Destinations', ['Destination', 'State', 'Delivered', 'Pending', 'Dead-lettered', 'Last error'], destinationRows, 'No destination is configured (FORWARD_DESTINATIONS_FILE).')}
    <h2>Reconciler</h2>
    ${table('Reconciler runs', ['Name', 'Last run', 'Checked until', 'Found last run', 'Recovered last run'], reconcilerRows, 'The reconciler has not run yet.')}`;
  return page('Overview', '/', content);
}

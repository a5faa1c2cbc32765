import { EVENT_SOURCES, EVENT_STATUSES, type EventSummary } from '@app/database';
import { eventHref, href, html, type Html } from './html.js';
import { badge, page, table, time } from './layout.js';

/** The list's filters as the URL carries them (the admin API's parameter names), plus an event id. */
export const EVENT_FILTERS = [
  'eventId',
  'objectId',
  'type',
  'merchant',
  'status',
  'source',
  'receivedFrom',
  'receivedTo',
  'contains',
] as const;
export type EventFilterValues = Partial<Record<(typeof EVENT_FILTERS)[number], string>>;

const FIELDS: ReadonlyArray<{ name: (typeof EVENT_FILTERS)[number]; label: string; hint?: string }> = [
  { name: 'eventId', label: 'Event id' },
  { name: 'objectId', label: 'Object id (payment, order, customer…)' },
  { name: 'type', label: 'Type', hint: 'payment.updated or payment.*' },
  { name: 'merchant', label: 'Merchant id' },
  { name: 'receivedFrom', label: 'Received from', hint: '2024-05-01 or 2024-05-01T12:00:00Z' },
  { name: 'receivedTo', label: 'Received before', hint: '2024-05-02' },
  { name: 'contains', label: 'Payload contains (JSON)', hint: '{"data":{"object":{"payment":{"status":"FAILED"}}}}' },
];

function select(name: 'status' | 'source', label: string, options: readonly string[], value: string | undefined): Html {
  return html`<label
    >${label}<select name="${name}">
      <option value="">any</option>
      ${options.map((o) => html`<option value="${o}" ${o === value ? html` selected` : ''}>${o}</option>`)}
    </select></label
  >`;
}

function filterForm(values: EventFilterValues): Html {
  return html`<form class="card filters" method="get" action="/events" role="search" aria-label="Find events">
    ${FIELDS.map((f) => html`<label>${f.label}<input name="${f.name}" value="${values[f.name] ?? ''}" ${f.hint ? html` placeholder="${f.hint}"` : ''} /></label>`)}
    ${select('status', 'Status', EVENT_STATUSES, values.status)}
    ${select('source', 'Source', EVENT_SOURCES, values.source)}
    <div class="actions"><button type="submit">Search</button><a class="button secondary" href="/events">Clear</a></div>
  </form>`;
}

/** Newest first; `next`: the URL of the following page, if any. */
export function eventsPage(
  values: EventFilterValues,
  events: readonly EventSummary[] | null,
  next: string | null,
  error?: string,
): Html {
  const rows = (events ?? []).map((e) => [
    html`<a class="mono" href="${eventHref(e.eventId)}">${e.eventId}</a>`,
    e.eventType,
    badge(e.status),
    e.source === 'events_api' ? 'Events API' : 'webhook',
    e.attempts,
    e.deliveryCount,
    time(e.receivedAt),
    e.deadLetterReason ?? e.outcome ?? '',
  ]);
  const content = html`<h1>Events</h1>
    ${filterForm(values)}
    ${events === null ? '' : table('Events, newest first', ['Event', 'Type', 'Status', 'Source', 'Failed attempts', 'Deliveries from Square', 'Received', 'Outcome'], rows, 'No event matches these filters.')}
    ${next ? html`<p class="pager"><a class="button secondary" href="${next}" rel="next">Older events →</a></p>` : ''}`;
  return page('Events', '/events', content, error ? { text: error, error: true } : undefined);
}

/** The URL of the page after `cursor`, with the same filters. */
export function nextPageHref(values: EventFilterValues, cursor: string): string {
  return href('/events', { ...values, cursor });
}

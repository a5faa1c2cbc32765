import type { DeliverySummary, EventAttemptRow, EventDetail, ForwardAttemptRow, MirroredObject } from '@app/database';
import { eventHref, href, html, type Html } from './html.js';
import { badge, page, table, time } from './layout.js';

export interface EventStory {
  event: EventDetail;
  attempts: readonly EventAttemptRow[];
  deliveries: readonly DeliverySummary[];
  /** forward_attempts by delivery id. */
  forwardAttempts: ReadonlyMap<string, readonly ForwardAttemptRow[]>;
  /** The payload's data.id, when it has one. */
  objectId: string | null;
  mirrored: readonly MirroredObject[];
}

/** The payload as JSON, indented; the raw text when it is not JSON. */
export function prettyPayload(rawBody: string): string {
  try {
    return JSON.stringify(JSON.parse(rawBody), null, 2);
  } catch {
    return rawBody;
  }
}

function facts(rows: ReadonlyArray<[string, Html | string | number | null]>): Html {
  return html`<dl class="facts">
    ${rows.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v ?? html`<span class="muted">—</span>`}</dd>`,
    )}
  </dl>`;
}

function replayAction(event: EventDetail): Html {
  if (event.status !== 'dead_lettered') {
    return html`<p class="muted">Replay: only dead-lettered events can be replayed (this one is ${event.status}).</p>`;
  }
  if (event.rawBody === '')
    return html`<p class="muted">Replay: retention purged this event's body; it can no longer be replayed.</p>`;
  return html`<div class="actions"><a class="button" href="${eventHref(event.eventId)}/replay">Replay…</a></div>`;
}

/** A forward delivery and its attempts (the summary columns only for deliveries older than forward_attempts). */
function forwardDelivery(d: DeliverySummary, tries: readonly ForwardAttemptRow[]): Html {
  const when = d.deliveredAt
    ? (['Delivered', d.deliveredAt] as const)
    : d.deadLetteredAt
      ? (['Dead-lettered', d.deadLetteredAt] as const)
      : (['Next try', d.nextAttemptAt] as const);
  const rows = tries.map((a) => [
    time(a.at),
    a.statusCode ?? html`<span class="muted">no answer</span>`,
    `${a.latencyMs} ms`,
    a.error ? html`<span class="err">${a.error}</span>` : '',
  ]);
  return html`<section class="card" aria-labelledby="delivery-${d.id}">
    <h3 id="delivery-${d.id}">To ${d.destination} ${badge(d.status)}</h3>
    ${facts([
      [when[0], time(when[1])],
      ['Replays', d.replayCount],
      ...(tries.length > 0
        ? []
        : ([
            ['Attempts', d.attempts],
            ['Last HTTP status', d.lastStatus ?? html`<span class="muted">no answer</span>`],
            ['Last error', d.lastError ? html`<span class="err">${d.lastError}</span>` : null],
          ] as Array<[string, Html | string | number | null]>)),
    ])}
    ${tries.length > 0 ? table(`Attempts to ${d.destination}, oldest first`, ['Time', 'HTTP status', 'Latency', 'Error'], rows) : ''}
  </section>`;
}

/** Everything that happened to one event, on one page. */
export function eventPage(story: EventStory, notice?: string): Html {
  const { event, attempts, deliveries, forwardAttempts, objectId, mirrored } = story;
  const attemptRows = attempts.map((a) => [
    a.attempt,
    time(a.startedAt),
    `${a.durationMs} ms`,
    badge(a.outcome),
    a.handlers.length > 0 ? a.handlers.join(', ') : html`<span class="muted">none</span>`,
    a.error ? html`<span class="err">${a.error}</span>` : '',
  ]);
  const mirroredRows = mirrored.map((m) => [
    m.objectType,
    m.version ?? html`<span class="muted">none</span>`,
    m.deleted ? 'deleted' : m.source,
    html`<a class="mono" href="${eventHref(m.lastEventId)}">${m.lastEventId}</a>`,
    time(m.updatedAt),
  ]);
  const content = html`<h1><span class="muted">Event</span> ${event.eventId}</h1>
    <section class="card" aria-labelledby="summary">
      <h2 id="summary">Summary</h2>
      ${facts([
        ['Type', event.eventType],
        ['Status', badge(event.status)],
        ['Outcome', event.outcome],
        [
          'Merchant',
          event.merchantId
            ? html`<a href="${href('/events', { merchant: event.merchantId })}">${event.merchantId}</a>`
            : null,
        ],
        ['Source', event.source === 'events_api' ? 'Events API (recovered by the reconciler)' : 'webhook'],
        ['Received', time(event.receivedAt)],
        ['Processed', time(event.processedAt)],
        [
          'Dead-lettered',
          event.deadLetteredAt ? html`${time(event.deadLetteredAt)} — ${event.deadLetterReason ?? ''}` : null,
        ],
        ['Last error', event.lastError ? html`<span class="err">${event.lastError}</span>` : null],
        // Once processed, an earlier attempt's error is history (the attempts below say when), not a current one.
        ['Earlier error', event.earlierError ? html`<span class="muted">${event.earlierError}</span>` : null],
        ['Replays', event.replayCount],
      ])}
      ${replayAction(event)}
    </section>
    <section class="card" aria-labelledby="delivery">
      <h2 id="delivery">Delivery from Square</h2>
      ${facts([
        ['Deliveries received', event.deliveryCount],
        ['Signature', event.signatureAlgorithm],
        ['square-environment', event.delivery.environment],
        ['square-initial-delivery-timestamp', time(event.delivery.initialDeliveryAt)],
        ['square-retry-number', event.delivery.retryNumber],
        ['square-retry-reason', event.delivery.retryReason],
        ['Last delivered', time(event.delivery.lastDeliveredAt)],
      ])}
    </section>
    <h2 id="attempts">Processing attempts</h2>
    ${table('Processing attempts, oldest first', ['Attempt', 'Started', 'Took', 'Outcome', 'Handlers run', 'Error'], attemptRows, 'No attempt recorded yet.')}
    <h2 id="object">Mirrored object</h2>
    ${
      objectId
        ? html`<p>
              Object <span class="mono">${objectId}</span> ·
              <a href="${href('/events', { objectId })}">every event of this object</a>
            </p>
            ${table('What the mirror holds', ['Type', 'Version', 'Source', 'Last written by', 'Updated'], mirroredRows, 'The mirror holds no row for this object.')}`
        : html`<p class="card muted">This event names no object (no data.id).</p>`
    }
    <h2 id="forwarding">Forward deliveries</h2>
    ${deliveries.length === 0 ? html`<p class="card muted">Not forwarded anywhere.</p>` : deliveries.map((d) => forwardDelivery(d, forwardAttempts.get(d.id) ?? []))}
    <h2 id="payload">Payload</h2>
    ${
      event.rawBody === ''
        ? html`<p class="card muted">Purged by retention or erasure.</p>`
        : html`<p>
              <a href="${eventHref(event.eventId)}/raw" download>Download the raw body</a> (the bytes Square signed)
            </p>
            <pre tabindex="0" aria-label="Payload">${prettyPayload(event.rawBody)}</pre>`
    }`;
  return page(`Event ${event.eventId}`, '/events', content, notice ? { text: notice } : undefined);
}

/** The confirmation step of a replay. */
export function replayConfirmPage(event: EventDetail): Html {
  const content = html`<h1>Replay event ${event.eventId}?</h1>
    <div class="card">
      <p>
        The event (${event.eventType}, dead-lettered: ${event.deadLetterReason ?? 'unknown reason'}) goes back to
        <b>received</b>; the worker processes it again, its handlers run again, and its forward deliveries are made if
        it applies.
      </p>
      <form method="post" action="${eventHref(event.eventId)}/replay" class="actions">
        <button type="submit" class="danger">Replay this event</button>
        <a class="button secondary" href="${eventHref(event.eventId)}">Cancel</a>
      </form>
    </div>`;
  return page(`Replay ${event.eventId}`, '/events', content);
}

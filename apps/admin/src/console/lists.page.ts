import type { DeadLetterGroup, InvalidWebhookRow, RejectedDelivery, SellerRow } from '@app/database';
import { href, html, type Html } from './html.js';
import { badge, page, table, time } from './layout.js';

export interface GroupKey {
  reason: string;
  type: string;
}

export const REAUTH_PATH = '/admin/oauth/square/authorize';

export function deadLettersPage(groups: readonly DeadLetterGroup[], notice?: string): Html {
  const rows = groups.map((g) => [
    html`<span class="mono">${g.reason}</span>`,
    html`<a href="${href('/events', { status: 'dead_lettered', type: g.eventType })}">${g.eventType}</a>`,
    g.count,
    time(g.firstAt),
    time(g.lastAt),
    html`<a
      class="button secondary"
      href="${href('/dead-letters/replay', { reason: g.reason, type: g.eventType })}"
      aria-label="Replay ${g.count} ${g.eventType} events dead-lettered for ${g.reason}"
      >Replay…</a
    >`,
  ]);
  const content = html`<h1>Dead letters</h1>
    <p class="muted">
      Dead-lettered events still holding their body, grouped by reason and type. Replaying a group first counts what it
      would replay.
    </p>
    ${table('Dead letters by reason and type', ['Reason', 'Type', 'Events', 'First', 'Last', ''], rows, 'No dead-lettered event. ')}`;
  return page('Dead letters', '/dead-letters', content, notice ? { text: notice } : undefined);
}

/** The dry run's count, and the form that replays the group. */
export function deadLetterReplayPage(key: GroupKey, matched: number, more: boolean): Html {
  const action = href('/dead-letters/replay', { reason: key.reason, type: key.type });
  const content = html`<h1>Replay dead letters?</h1>
    <div class="card">
      <p>
        Dry run: <b id="dry-run-count">${matched}${more ? '+' : ''}</b> dead-lettered ${key.type} event(s) with reason
        <span class="mono">${key.reason}</span> would be
        replayed${more ? ' (this replays the first 1 000; run it again for the rest)' : ''}.
      </p>
      ${
        matched === 0
          ? html`<p><a href="/dead-letters">Back to dead letters</a></p>`
          : html`<form method="post" action="${action}" class="actions">
              <button type="submit" class="danger">Replay ${matched} event(s)</button>
              <a class="button secondary" href="/dead-letters">Cancel</a>
            </form>`
      }
    </div>`;
  return page('Replay dead letters', '/dead-letters', content);
}

export function sellersPage(sellers: readonly SellerRow[]): Html {
  const rows = sellers.map((s) => [
    html`<a class="mono" href="${href('/events', { merchant: s.merchantId })}">${s.merchantId}</a>`,
    badge(s.status),
    time(s.expiresAt),
    time(s.refreshedAt),
    s.refreshFailures,
    s.lastRefreshError || s.statusReason ? html`<span class="err">${s.lastRefreshError ?? s.statusReason}</span>` : '',
    s.status === 'needs_reauth' ? html`<a href="${REAUTH_PATH}">Re-authorise</a>` : '',
  ]);
  const content = html`<h1>Sellers</h1>
    <p class="muted">
      Sellers who authorised the application (OAuth); their tokens are refreshed by the worker. A seller needing
      re-authorisation signs in again through <a href="${REAUTH_PATH}">${REAUTH_PATH}</a>.
    </p>
    ${table('Sellers', ['Merchant', 'Token', 'Expires', 'Last refresh', 'Refresh failures', 'Last error', ''], rows, 'No seller has authorised the application (single-account mode uses SQUARE_ACCESS_TOKEN).')}`;
  return page('Sellers', '/sellers', content);
}

export function rejectedPage(refused: readonly RejectedDelivery[], rows: readonly InvalidWebhookRow[]): Html {
  const refusedCells = refused.map((r) => [
    time(r.receivedAt),
    r.remoteAddress ?? '',
    html`<span class="mono">${r.notificationUrl}</span>`,
    r.signatureAlgorithm,
    html`<span class="err">${r.diagnosis}</span>`,
  ]);
  const cells = rows.map((r) => [
    time(r.lastReceivedAt),
    time(r.firstReceivedAt),
    r.deliveryCount,
    html`<span class="err">${r.reason}</span>`,
    r.signatureAlgorithm,
    html`<span class="mono">${r.bodyStart.slice(0, 300)}</span>`,
  ]);
  const content = html`<h1>Rejected deliveries</h1>
    <p class="muted">
      Deliveries refused for their signature, with what would have matched (a trailing slash, the scheme, another key)
      and the variable to change: the last ${refused.length} the ingress kept (it keeps 50, and diagnoses at most 10 a
      minute; all are counted in <span class="mono">square_webhooks_received_total{outcome="bad_signature"}</span>).
      <span class="mono">npm run square -- verify --last</span> explains the newest in a terminal.
    </p>
    ${table('Refused for their signature, newest first', ['Received', 'From', 'Checked against', 'Signature', 'Diagnosis'], refusedCells, 'No delivery refused for its signature.')}
    <p class="muted">
      Deliveries whose signature was valid but whose body is not an event the pipeline can read (kept for inspection,
      one row per distinct body).
    </p>
    ${table('Signed but unreadable, newest first', ['Last received', 'First received', 'Times', 'Reason', 'Signature', 'Body (start)'], cells, 'No unreadable delivery.')}`;
  return page('Rejected deliveries', '/signature-failures', content);
}

import { STYLESHEET_PATH } from './console.css.js';
import { html, type Html, type Interpolated } from './html.js';

export const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/events', label: 'Events' },
  { path: '/destinations', label: 'Destinations' },
  { path: '/dead-letters', label: 'Dead letters' },
  { path: '/sellers', label: 'Sellers' },
  { path: '/signature-failures', label: 'Rejected deliveries' },
] as const;

export type Section = (typeof NAV)[number]['path'];

/** Every console page: the header with its navigation (Bull Board linked), then the page's own content. */
export function page(title: string, section: Section, content: Html, notice?: { text: string; error?: boolean }): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Square webhooks console</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">Square webhooks</span>
          <nav aria-label="Console">
            <ul>
              ${NAV.map((n) => html`<li><a href="${n.path}" ${n.path === section ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}
              <li><a href="/admin/queues">Queues (Bull Board)</a></li>
            </ul>
          </nav>
        </header>
        <main id="main">
          ${notice ? html`<p class="${notice.error ? 'notice error' : 'notice'}" role="${notice.error ? 'alert' : 'status'}">${notice.text}</p>` : ''}
          ${content}
        </main>
      </body>
    </html> `;
}

export function badge(value: string | null | undefined): Html {
  return value
    ? html`<span class="badge ${value.replace(/[^a-z_]/g, '')}">${value}</span>`
    : html`<span class="muted">—</span>`;
}

/** A time as ISO text in a <time> element, or a dash. */
export function time(value: Date | null | undefined): Html {
  return value
    ? html`<time datetime="${value}"
        >${value
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z')}</time
      >`
    : html`<span class="muted">—</span>`;
}

/** How long ago, in words a person reads at a glance. */
export function ago(value: Date | null | undefined, now = Date.now()): string {
  if (!value) return '—';
  const s = Math.max(0, Math.round((now - value.getTime()) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** A table that turns into labelled blocks on a phone (data-label on each cell). */
export function table(
  caption: string,
  headers: readonly string[],
  rows: ReadonlyArray<readonly Interpolated[]>,
  empty = 'Nothing here.',
): Html {
  if (rows.length === 0) return html`<p class="card muted">${empty}</p>`;
  return html`<div class="table-wrap">
    <table class="stack">
      <caption class="skip">
        ${caption}
      </caption>
      <thead>
        <tr>
          ${headers.map((h) => html`<th scope="col">${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              ${r.map((cell, i) => html`<td data-label="${headers[i] ?? ''}">${cell}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

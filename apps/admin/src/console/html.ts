// The console's HTML: template literals through `html`, which escapes every interpolated value
// unless it is already Html (built by `html` itself). No other way to produce Html exists, so a
// value from the database or the URL cannot reach a page unescaped.

export class Html {
  /** Only `html` makes these: the text is markup already escaped. */
  private constructor(readonly text: string) {}

  static trusted(text: string): Html {
    return new Html(text);
  }

  toString(): string {
    return this.text;
  }
}

/** One interpolated value: Html as is, arrays item by item, null/undefined/false as nothing, the rest escaped. */
export type Interpolated =
  Html | string | number | bigint | boolean | null | undefined | Date | readonly Interpolated[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: Interpolated): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof Date) return escapeHtml(value.toISOString());
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return Html.trusted(out);
}

/** A URL path with query parameters (empty ones left out), for links that carry filters. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** /events/<id>: ids are Square's, but anything could be stored: always encoded. */
export function eventHref(eventId: string): string {
  return `/events/${encodeURIComponent(eventId)}`;
}

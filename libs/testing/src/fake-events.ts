import type { JsonObject } from './fake-objects.js';

// Square's event log as the fake Square API keeps it (the Events API, POST /v2/events: SearchEvents),
// controlled by the tests: the events "Square" created, delivered as webhooks or not.

const MAX_PAGE = 100;

export class FakeEventLog {
  private readonly events: JsonObject[] = [];
  /** Square keeps events searchable only once the application enabled the Events API. */
  enabled = true;

  /** An event as Square's API returns it: merchant_id, location_id, type, event_id, created_at, data. */
  add(event: JsonObject): void {
    this.events.push(event);
  }

  /** SearchEvents: filters (types, merchants, locations, created_at [start, end)), sort, limit, cursor. */
  search(body: JsonObject): { events: JsonObject[]; cursor?: string } {
    const query = (body.query ?? {}) as { filter?: Record<string, unknown>; sort?: { order?: string } };
    const filter = query.filter ?? {};
    const list = (key: string) => (Array.isArray(filter[key]) ? (filter[key] as string[]) : undefined);
    const [types, merchants, locations] = [list('event_types'), list('merchant_ids'), list('location_ids')];
    const range = (filter.created_at ?? {}) as { start_at?: string; end_at?: string };
    const start = range.start_at ? Date.parse(range.start_at) : Number.NEGATIVE_INFINITY;
    const end = range.end_at ? Date.parse(range.end_at) : Number.POSITIVE_INFINITY;
    const sign = query.sort?.order === 'ASC' ? 1 : -1; // Square's default order is newest first
    const matching = this.events
      .filter(
        (e) =>
          (!types || types.includes(String(e.type))) &&
          (!merchants || merchants.includes(String(e.merchant_id))) &&
          (!locations || locations.includes(String(e.location_id))),
      )
      .filter((e) => {
        const at = Date.parse(String(e.created_at));
        return at >= start && at < end;
      })
      .sort(
        (a, b) =>
          sign *
          (Date.parse(String(a.created_at)) - Date.parse(String(b.created_at)) ||
            String(a.event_id).localeCompare(String(b.event_id))),
      );
    const offset = Number(body.cursor ?? 0);
    const limit = Math.min(Number(body.limit ?? MAX_PAGE), MAX_PAGE);
    const page = matching.slice(offset, offset + limit);
    return { events: page, ...(offset + limit < matching.length ? { cursor: String(offset + limit) } : {}) };
  }
}

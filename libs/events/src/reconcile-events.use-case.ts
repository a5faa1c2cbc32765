import { Injectable, Logger } from '@nestjs/common';
import { ReconcileConfig } from '@app/config';
import { ReconcileRepository, type LoggedEvent } from '@app/database';
import { eventTypeLabel, eventsRecovered } from '@app/metrics';
import { SquareApiClient, type CanonicalObject } from '@app/square-api';

export interface ScanResult {
  /** Events in Square's log for the range. */
  found: number;
  /** Of those, already in the inbox (left untouched). */
  present: number;
  /** Stored and enqueued now: deliveries Square never made. */
  recovered: number;
  /** Unusable entries, skipped with an error line (no id, or text Postgres cannot store). */
  skipped: number;
}

/** The Events API cannot be used: not enabled for the application, or the token may not. */
export function isEventsApiRefusal(status: number | null): boolean {
  return status === 400 || status === 401 || status === 403;
}

/**
 * Searches Square's event log (Events API, SearchEvents) for a time range, page by page, oldest
 * first, and stores each event the inbox does not have — marked as from the Events API, with its
 * job — so that it is processed like a delivered one. Each page is stored before the next is
 * asked for: a failure stops the scan with everything before it kept, nothing after it claimed.
 */
@Injectable()
export class ReconcileEventsUseCase {
  private readonly logger = new Logger(ReconcileEventsUseCase.name);

  /** `square`: the app's client (the worker's counts its calls in square_api_requests_total). */
  constructor(
    private readonly repository: ReconcileRepository,
    private readonly square: SquareApiClient,
    private readonly config: ReconcileConfig,
  ) {}

  /** The application's own token: without it there is nothing to search with. */
  get enabled(): boolean {
    return this.config.accessToken !== undefined;
  }

  async scan(range: { from: Date; to: Date; types?: readonly string[] }): Promise<ScanResult> {
    const token = this.config.accessToken;
    if (!token)
      throw new Error("SQUARE_ACCESS_TOKEN is required to search Square's Events API (the application's own token)");
    const result: ScanResult = { found: 0, present: 0, recovered: 0, skipped: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.square.searchEvents({ ...range, cursor }, token);
      const events = page.events.map((e) => this.toLogged(e)).filter((e): e is LoggedEvent => e !== undefined);
      result.skipped += page.events.length - events.length;
      const recovered = await this.repository.recover(events);
      result.found += page.events.length;
      result.recovered += recovered.length;
      result.present += events.length - recovered.length;
      for (const r of recovered) {
        eventsRecovered.inc({ event_type: eventTypeLabel(r.eventType) });
        this.logger.warn('event recovered from the Events API: Square did not deliver it', {
          eventId: r.eventId,
          eventType: r.eventType,
        });
      }
      cursor = page.cursor;
    } while (cursor);
    return result;
  }

  private toLogged({ json, object }: CanonicalObject): LoggedEvent | undefined {
    const eventId = object.event_id;
    const eventType = object.type;
    // Postgres' jsonb cannot hold \u0000: such an entry would fail its whole page, every time.
    if (typeof eventId !== 'string' || eventId === '' || typeof eventType !== 'string' || json.includes('\\u0000')) {
      this.logger.error('skipped an Events API entry that cannot be stored', {
        eventId: typeof eventId === 'string' ? eventId : null,
        eventType: typeof eventType === 'string' ? eventType : null,
      });
      return undefined;
    }
    return { eventId, eventType, merchantId: typeof object.merchant_id === 'string' ? object.merchant_id : null, json };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { HandlerEvent } from '@app/handlers';
import type { EventRoute } from '@app/square';
import { SquareApiClient, SquareApiError, isRetrievable, type CanonicalObject } from '@app/square-api';
import { EventTransactions } from '@app/database';
import { LAST_CHANGE } from '../mirror/square-mirror.handler.js';
import { MerchantTokenResolver } from '../merchants/merchant-token.resolver.js';
import { InvalidEventError } from './attempt-errors.js';

/** What Square's API says of an event's object(s), fetched before the event's transaction opens. */
export interface Fetched {
  canonical: CanonicalObject | null;
  catalogChanges: CanonicalObject[];
}

/**
 * The network step of an event, outside any transaction: the retrieved object, or the catalog's
 * changes, read with the token of the event's merchant (MerchantTokenResolver).
 */
@Injectable()
export class SquareObjectFetcher {
  private readonly logger = new Logger(SquareObjectFetcher.name);

  constructor(
    private readonly square: SquareApiClient,
    private readonly tokens: MerchantTokenResolver,
    private readonly transactions: EventTransactions,
  ) {}

  async fetch(route: EventRoute, event: HandlerEvent): Promise<Fetched> {
    if (route.kind !== 'retrieve' && route.kind !== 'catalog_changes') return { canonical: null, catalogChanges: [] };
    const auth = await this.tokens.tokenFor(event.merchantId);
    try {
      return await this.fetchWith(auth.token, route, event);
    } catch (err) {
      // A seller's own token refused: retrying with it cannot help until the seller authorizes again.
      if (auth.stored && event.merchantId !== null && err instanceof SquareApiError && err.status === 401)
        throw await this.tokens.rejected(event.merchantId, err.message);
      throw err;
    }
  }

  private async fetchWith(token: string, route: EventRoute, event: HandlerEvent): Promise<Fetched> {
    if (route.kind === 'retrieve') {
      if (!isRetrievable(route.objectType)) throw new InvalidEventError(`no retriever for ${route.objectType}`);
      return { canonical: await this.square.retrieve(route.objectType, route.id, token), catalogChanges: [] };
    }
    if (route.kind === 'catalog_changes') {
      // Since the last change stored; the first time, since just before this version.
      const { rows } = await this.transactions.query(LAST_CHANGE, {
        object_type: route.objectType,
        merchant_id: event.merchantId,
      });
      const last = rows[0]?.at ?? null;
      const version = route.versionUpdatedAt ? new Date(route.versionUpdatedAt) : new Date();
      const since = last ?? new Date((Number.isNaN(version.getTime()) ? Date.now() : version.getTime()) - 1000);
      const { objects, complete } = await this.square.searchCatalogChanges(since, token);
      if (!complete)
        this.logger.warn('catalog search stopped at its page limit; the next catalog version fetches the rest', {
          eventId: event.id,
          objects: objects.length,
        });
      return { canonical: null, catalogChanges: objects };
    }
    return { canonical: null, catalogChanges: [] };
  }
}

import type { JsonObject } from '@app/square';
import { RETRIEVERS } from '@app/square-api';
import { OBJECT_SAMPLES } from './object-samples.js';

// The objects the fake Square API serves, and its routes: derived from the worker's own table of
// retrievers (RETRIEVERS: path, response key), so the fake and the client cannot drift apart.

export type { JsonObject };

interface Route {
  objectType: string;
  prefix: string;
  suffix: string;
  key: string;
}

const PLACEHOLDER = 'FAKEIDPLACEHOLDER'; // unchanged by encodeURIComponent

const ROUTES: Route[] = Object.entries(RETRIEVERS).map(([objectType, r]) => {
  const [prefix, suffix] = r.path(PLACEHOLDER).split(PLACEHOLDER) as [string, string];
  return { objectType, prefix, suffix, key: r.key };
});

/** The object type and id a GET path names, or undefined when no retriever has that shape. */
export function matchRoute(pathname: string): { objectType: string; id: string; key: string } | undefined {
  for (const route of ROUTES) {
    if (!pathname.startsWith(route.prefix) || !pathname.endsWith(route.suffix)) continue;
    const raw = pathname.slice(route.prefix.length, pathname.length - route.suffix.length);
    if (raw === '' || raw.includes('/')) continue;
    return { objectType: route.objectType, id: decodeURIComponent(raw), key: route.key };
  }
  return undefined;
}

export function isObjectType(value: string): boolean {
  return value in RETRIEVERS;
}

/** A made-up object for an id nobody put: the type's sample with this id (load tests). */
export function synthesize(objectType: string, id: string): JsonObject | undefined {
  const now = new Date().toISOString();
  if (objectType === 'payment' || objectType === 'refund') {
    const money = { amount: 1000, currency: 'USD' };
    return objectType === 'payment'
      ? {
          id,
          status: 'COMPLETED',
          amount_money: money,
          total_money: money,
          location_id: 'LFAKE',
          created_at: now,
          updated_at: now,
          version: 1,
        }
      : {
          id,
          payment_id: id.split('_')[0],
          status: 'COMPLETED',
          amount_money: money,
          location_id: 'LFAKE',
          created_at: now,
          updated_at: now,
          version: 1,
        };
  }
  const sample = OBJECT_SAMPLES[objectType];
  return sample ? { ...sample, id } : undefined;
}

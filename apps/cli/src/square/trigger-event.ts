import { randomUUID } from 'node:crypto';
import { EVENT_CATALOG } from '@app/square';
import { OBJECT_SAMPLES } from '@app/testing';

// `square trigger <type>`: a realistic event of any type of the catalog, shaped as the routing
// (libs/square event-routing.ts) reads it, with the object Square would send or let the worker
// retrieve (from OBJECT_SAMPLES where there is one). Pure: seeding and sending are the command's.

type Json = Record<string, unknown>;

export interface TriggerEvent {
  eventId: string;
  type: string;
  body: Buffer;
  /** What the worker will ask Square's API for: seeded into the fake Square API to match. */
  seed: { objectType: string; id: string; object: Json } | undefined;
}

export const DEFAULT_MERCHANT = 'ML7Q2XK4ZP1N9';

export function buildTriggerEvent(
  type: string,
  options: { merchantId?: string; sets?: ReadonlyArray<[string, unknown]>; now?: Date } = {},
): TriggerEvent {
  const entry = EVENT_CATALOG[type];
  if (entry === undefined)
    throw new Error(
      `unknown event type "${type}": the catalog (libs/square/src/event-catalog.ts) lists ${Object.keys(EVENT_CATALOG).length}, e.g. payment.updated`,
    );
  const now = (options.now ?? new Date()).toISOString();
  const route = entry.route;
  const id = `${type.split('.')[0]!.replace(/_/g, '').slice(0, 6).toUpperCase()}${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  let data: Json;
  let seedKey: string | undefined;
  switch (route.how) {
    case 'retrieve':
      data = {
        type: route.objectType,
        id,
        object: { [route.objectType]: { ...(OBJECT_SAMPLES[route.objectType] ?? {}), id, updated_at: now } },
      };
      seedKey = route.objectType;
      break;
    case 'snapshot':
      data = {
        type: route.objectType,
        id,
        object: { [route.snapshotKey]: { id, created_at: now, updated_at: now, version: 1 } },
      };
      break;
    case 'deleted':
      data = { type: route.objectType, id, deleted: true };
      break;
    case 'counts':
      data = {
        type: route.objectType,
        id,
        object: {
          [route.listKey]: [
            {
              ...Object.fromEntries(route.idFields.map((f) => [f, `${f.toUpperCase()}${id.slice(-8)}`])),
              quantity: '7',
              [route.updatedAtField]: now,
            },
          ],
        },
      };
      break;
    case 'catalog_changes':
      data = { type: route.objectType, id, object: { catalog_version: { updated_at: now } } };
      break;
    case 'none':
      data = { type: type.split('.')[0]!, id };
      break;
  }
  const payload: Json = {
    merchant_id: options.merchantId ?? DEFAULT_MERCHANT,
    type,
    event_id: randomUUID(),
    created_at: now,
    data,
  };
  for (const [path, value] of options.sets ?? []) setPath(payload, path, value);
  // After --set: the seeded object is the one the event names, with the overrides.
  const finalData = payload.data as Json;
  const object =
    seedKey === undefined ? undefined : ((finalData.object as Json | undefined)?.[seedKey] as Json | undefined);
  const seed =
    seedKey !== undefined && object !== undefined
      ? { objectType: seedKey, id: String(finalData.id), object: { ...object, id: String(finalData.id) } }
      : undefined;
  return { eventId: String(payload.event_id), type, body: Buffer.from(JSON.stringify(payload)), seed };
}

/** `--set a.b.c=value`: the value as JSON when it parses (500, true, "x", {…}), else as a string. */
export function parseSet(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw new Error(`--set wants path=value, e.g. data.object.payment.amount_money.amount=500 (got "${text}")`);
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return [text.slice(0, eq), value];
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) at[key] = {};
    at = at[key] as Json;
  }
  at[keys.at(-1)!] = value;
}

import { Injectable } from '@nestjs/common';
import { HandlersConfig } from '@app/config';
import type { ObjectRow } from '@app/database';
import { matchesEventType, type EventRoute, type ObjectRef } from '@app/square';
import type { AppliedHandler, ApplyContext } from '../handlers/applied-handler.js';

export const MIRROR_HANDLER = 'square-mirror';

/**
 * The built-in mirror, a handler like the team's, first in line, in the same transaction: the
 * event's canonical object(s), kept only when strictly newer than what is stored. Payments and
 * refunds go to their typed tables; every other object to square_objects: retrieved ones
 * (source 'api'), snapshots (source 'snapshot'), deletions marked, inventory counts one row each,
 * and for a catalog version the catalog objects that changed. SQUARE_MIRROR_EVENT_TYPES says which.
 */
@Injectable()
export class SquareMirrorHandler implements AppliedHandler {
  readonly name = MIRROR_HANDLER;
  private readonly eventTypes: readonly string[];

  constructor(config: HandlersConfig) {
    this.eventTypes = config.mirrorEventTypes;
  }

  wants(type: string, route: EventRoute): boolean {
    return route.kind !== 'none' && route.kind !== 'invalid' && matchesEventType(this.eventTypes, type);
  }

  async handle({ event, tx, route, canonical, catalogChanges, unchanged }: ApplyContext): Promise<void> {
    const merchantId = event.merchantId;
    let written = 0;
    let tried = 0;
    switch (route.kind) {
      case 'retrieve': {
        if (!canonical) return;
        tried = 1;
        if (route.objectType === 'payment') written += Number(await tx.upsertPayment(canonical.json));
        else if (route.objectType === 'refund') written += Number(await tx.upsertRefund(canonical.json));
        else written += Number(await tx.upsertObject(objectRow({ objectType: route.objectType, id: route.id, object: canonical.object }, canonical.json, 'api', merchantId, event.createdAt)));
        break;
      }
      case 'snapshot':
      case 'deleted': {
        const one = route.objects.length === 1;
        for (const ref of route.objects) {
          tried++;
          const row = objectRow(ref, ref.object ? JSON.stringify(ref.object) : null, 'snapshot', merchantId, event.createdAt);
          written += Number(route.kind === 'deleted' ? await tx.markDeleted(row, one) : await tx.upsertObject(row, one));
        }
        if (!one && tried > 0 && written === 0) await tx.setOutcome('unchanged');
        break;
      }
      case 'catalog_changes': {
        for (const change of catalogChanges) {
          tried++;
          const id = String(change.object.id);
          const row = objectRow({ objectType: route.objectType, id, object: change.object }, change.json, 'api', merchantId, event.createdAt);
          written += Number(change.object.is_deleted === true ? await tx.markDeleted(row, false) : await tx.upsertObject(row, false));
        }
        if (written === 0) await tx.setOutcome('unchanged');
        break;
      }
      case 'none':
      case 'invalid':
        return; // wants() turns these away: they never reach the mirror
    }
    // The statements record 'unchanged' in the inbox; the same goes to the job's log and metrics.
    if (written === 0 && (tried > 0 || route.kind === 'catalog_changes')) unchanged();
  }
}

/** A row of square_objects: version and times read out of the object itself. */
function objectRow(ref: ObjectRef, json: string | null, source: 'api' | 'snapshot', merchantId: string | null, eventCreatedAt: string | null): ObjectRow {
  const o = ref.object ?? {};
  return {
    objectType: ref.objectType,
    objectId: ref.id,
    merchantId: merchantId ?? stringOrNull(o.merchant_id),
    locationId: stringOrNull(o.location_id),
    version: typeof o.version === 'number' && Number.isInteger(o.version) ? String(o.version) : null,
    updatedAt: date(ref.changedAt ?? o.updated_at),
    source,
    json,
    eventCreatedAt: date(eventCreatedAt),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A timestamp Postgres will take, or null (a malformed one in a snapshot must not fail the event). */
function date(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

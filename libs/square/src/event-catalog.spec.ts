import { CATALOG_PAGE, TABLE_END, TABLE_START, catalogTable } from './event-catalog.table.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, NOT_WEBHOOK_EVENTS, type ObjectRoute } from './event-catalog.js';

// EVENT_CATALOG against the official SDK's own description of Square's webhooks: one interface per
// event type in api/types/*Event.d.ts. Read as text, so that this lib still never loads the SDK.
// When the SDK is upgraded and Square added an event, the first test names it.

const SDK_TYPES = join(process.cwd(), 'node_modules/square/api/types');
const sdkFile = (name: string) => readFileSync(join(SDK_TYPES, `${name}.d.ts`), 'utf8');

const SDK_EVENTS = readdirSync(SDK_TYPES)
  .filter((file) => file.endsWith('Event.d.ts'))
  .map((file) => file.slice(0, -'.d.ts'.length))
  // Data models that merely end in Event (the Events API's envelope, a cash drawer's log, a
  // loyalty account's history, a subscription's history): not webhook events.
  .filter((name) => !(NOT_WEBHOOK_EVENTS as readonly string[]).includes(name));

const ENTRIES = Object.entries(EVENT_CATALOG);

/** The doc comment right above the interface's first `type?:` field: the event type's. */
function typeComment(source: string): string {
  return /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*type\?:/.exec(source)?.[1] ?? '';
}

/** The event type string the SDK states, e.g. `"order.created"` or `customer.created`. */
function statedEventType(sdkType: string): string | undefined {
  const comment = typeComment(sdkFile(sdkType));
  return (/"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"/.exec(comment) ?? /`([a-z0-9_]+(?:\.[a-z0-9_]+)+)`/.exec(comment))?.[1];
}

/** Field names of the type `data.object` has in the event (camelCase, as the SDK spells them). */
function eventObjectFields(sdkType: string): string[] {
  const dataType = /\bdata\?: Square\.(\w+);/.exec(sdkFile(sdkType))?.[1];
  const objectType = dataType && /\bobject\?: Square\.(\w+);/.exec(sdkFile(dataType))?.[1];
  if (!objectType) return [];
  return [...sdkFile(objectType).matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]!);
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe('EVENT_CATALOG', () => {
  it('has an entry for every webhook event of the SDK', () => {
    const covered = new Set(ENTRIES.map(([, entry]) => entry.sdkType));
    expect(SDK_EVENTS.filter((name) => !covered.has(name))).toEqual([]);
    expect(SDK_EVENTS.length).toBeGreaterThan(100);
  });

  it('names only SDK types that exist (or none), each for one event type', () => {
    const named = ENTRIES.map(([, entry]) => entry.sdkType).filter((name) => name !== 'none');
    expect(named.filter((name) => !existsSync(join(SDK_TYPES, `${name}.d.ts`)))).toEqual([]);
    expect(named.filter((name) => !SDK_EVENTS.includes(name))).toEqual([]);
    expect(named.filter((name, i) => named.indexOf(name) !== i)).toEqual([]);
  });

  it('is keyed by the event type string the SDK states', () => {
    const mismatched = ENTRIES.filter(([, { sdkType }]) => sdkType !== 'none')
      .map(([type, { sdkType }]) => ({ type, sdkType, stated: statedEventType(sdkType) }))
      .filter(({ type, stated }) => stated !== undefined && stated !== type);
    expect(mismatched).toEqual([]);
  });

  it('knows which SDK types leave the event type string unstated (their keys come from Square naming)', () => {
    // If this list changes, the comment-reading above may have broken: check it before updating.
    const unstated = SDK_EVENTS.filter((name) => statedEventType(name) === undefined).sort();
    expect(unstated).toEqual([
      'CatalogVersionUpdatedEvent',
      'DisputeCreatedEvent',
      'DisputeEvidenceAddedEvent',
      'DisputeEvidenceCreatedEvent',
      'DisputeEvidenceDeletedEvent',
      'DisputeEvidenceRemovedEvent',
      'DisputeStateChangedEvent',
      'DisputeStateUpdatedEvent',
      'InventoryCountUpdatedEvent',
    ]);
  });

  it('keys look like Square event types', () => {
    expect(ENTRIES.map(([type]) => type).filter((type) => !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(type))).toEqual(
      [],
    );
  });

  it('marks every *.deleted event deleted, and only those', () => {
    // dispute.evidence.deleted: data.id is the dispute's id, and the dispute is not deleted (one
    // piece of its evidence is), so it retrieves the dispute instead.
    const deletedNamesAnother: Record<string, ObjectRoute> = {
      'dispute.evidence.deleted': { how: 'retrieve', objectType: 'dispute' },
    };
    const wrong = ENTRIES.filter(([type, { route }]) => {
      if (type in deletedNamesAnother) return JSON.stringify(route) !== JSON.stringify(deletedNamesAnother[type]);
      return type.endsWith('.deleted') !== (route.how === 'deleted');
    });
    expect(wrong.map(([type]) => type)).toEqual([]);
  });

  it('has well-formed routes', () => {
    const snake = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
    const malformed = ENTRIES.filter(([, { sdkType, route }]) => {
      switch (route.how) {
        case 'retrieve':
        case 'deleted':
          return !snake.test(route.objectType);
        case 'snapshot':
          return !snake.test(route.objectType) || !snake.test(route.snapshotKey);
        case 'counts':
          return !snake.test(route.objectType) || !snake.test(route.listKey) || route.idFields.length === 0;
        case 'catalog_changes':
          return !snake.test(route.objectType);
        case 'none':
          return route.reason.trim().length < 10 || !route.reason.endsWith('.') || sdkType === '';
        default:
          return true;
      }
    });
    expect(malformed.map(([type]) => type)).toEqual([]);
  });

  it("takes a snapshot from a key that the event's data.object has in the SDK", () => {
    const missing = ENTRIES.flatMap(([type, { sdkType, route }]) =>
      route.how === 'snapshot' && !eventObjectFields(sdkType).includes(camel(route.snapshotKey))
        ? [`${type}: ${route.snapshotKey}`]
        : [],
    );
    expect(missing).toEqual([]);
  });

  it('gives each object type one way in: a type retrieved somewhere is never a snapshot elsewhere, except the named ones', () => {
    // card.forgotten: the seller had the card forgotten (GDPR); its reduced snapshot replaces the
    // stored card rather than a fresh fetch of everything it should no longer hold.
    const mixedOnPurpose = new Set(['card.forgotten']);
    const retrieved = new Set(ENTRIES.flatMap(([, { route }]) => (route.how === 'retrieve' ? [route.objectType] : [])));
    const mixed = ENTRIES.filter(
      ([type, { route }]) => route.how === 'snapshot' && retrieved.has(route.objectType) && !mixedOnPurpose.has(type),
    );
    expect(mixed.map(([type]) => type)).toEqual([]);
  });

  it('has webhooks.test_notification, which Square sends but the SDK does not describe', () => {
    expect(EVENT_CATALOG['webhooks.test_notification']).toMatchObject({ sdkType: 'none', route: { how: 'none' } });
  });

  it('docs/CATALOG.md has the table of what is mirrored how, as the catalog says (npm run docs:catalog writes it)', () => {
    const page = readFileSync(join(process.cwd(), CATALOG_PAGE), 'utf8');
    const start = page.indexOf(TABLE_START);
    expect(start).toBeGreaterThan(0);
    expect(page.slice(start, page.indexOf(TABLE_END) + TABLE_END.length)).toBe(catalogTable());
  });
});

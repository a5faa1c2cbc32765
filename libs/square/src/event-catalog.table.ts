import { EVENT_CATALOG, type ObjectRoute } from './event-catalog.js';

// The table of what is mirrored how (docs/CATALOG.md), made from EVENT_CATALOG: `npm run docs:catalog`
// writes it between the catalog markers, and a spec fails when the page is behind the table.

/** The page that holds the table, relative to the project root. */
export const CATALOG_PAGE = 'docs/CATALOG.md';
export const TABLE_START = '<!-- event-catalog:start -->';
export const TABLE_END = '<!-- event-catalog:end -->';

const TYPED_TABLES: Record<string, string> = { payment: '`payments`', refund: '`refunds`' };

function how(route: ObjectRoute): [string, string, string] {
  const where = (objectType: string) => TYPED_TABLES[objectType] ?? '`square_objects`';
  switch (route.how) {
    case 'retrieve':
      return ['retrieved from the API by `data.id`', `\`${route.objectType}\``, where(route.objectType)];
    case 'snapshot':
      return [`the event's \`data.object.${route.snapshotKey}\``, `\`${route.objectType}\``, where(route.objectType)];
    case 'deleted':
      return ['marked deleted, keeping its last data', `\`${route.objectType}\``, where(route.objectType)];
    case 'counts':
      return [
        `one row per \`data.object.${route.listKey}[]\`, id ${route.idFields.map((f) => `\`${f}\``).join(':')}`,
        `\`${route.objectType}\``,
        where(route.objectType),
      ];
    case 'catalog_changes':
      return [
        'the catalog objects changed since the last one stored (SearchCatalogObjects, deletions included)',
        `\`${route.objectType}\``,
        where(route.objectType),
      ];
    case 'none':
      return [`nothing: ${route.reason}`, '—', '—'];
  }
}

export function catalogTable(): string {
  const rows = Object.entries(EVENT_CATALOG)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, { route }]) => `| \`${type}\` | ${how(route).join(' | ')} |`);
  return [
    TABLE_START,
    '| Event type | How the object is obtained | Object type | Stored in |',
    '|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n');
}

#!/usr/bin/env node
// npm run docs:catalog: writes the table of what is mirrored how (made from EVENT_CATALOG) into
// docs/CATALOG.md, between the event-catalog markers. Runs after the build.
import { readFileSync, writeFileSync } from 'node:fs';
import { CATALOG_PAGE, TABLE_END, TABLE_START, catalogTable } from '../dist/libs/square/src/event-catalog.table.js';

const page = readFileSync(CATALOG_PAGE, 'utf8');
const start = page.indexOf(TABLE_START);
const end = page.indexOf(TABLE_END);
if (start < 0 || end < 0) {
  console.error(`docs:catalog: ${CATALOG_PAGE} has no event-catalog markers`);
  process.exit(1);
}
writeFileSync(CATALOG_PAGE, page.slice(0, start) + catalogTable() + page.slice(end + TABLE_END.length));
console.log(`docs:catalog: ${CATALOG_PAGE} updated`);

#!/usr/bin/env node
// npm run docs:catalog: writes the table of what is mirrored how (made from EVENT_CATALOG) into the
// README, between the event-catalog markers. Runs after the build.
import { readFileSync, writeFileSync } from 'node:fs';
import { TABLE_END, TABLE_START, catalogTable } from '../dist/libs/square/src/event-catalog.table.js';

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < 0) {
  console.error('docs:catalog: README.md has no event-catalog markers');
  process.exit(1);
}
writeFileSync('README.md', readme.slice(0, start) + catalogTable() + readme.slice(end + TABLE_END.length));
console.log('docs:catalog: README.md updated');

#!/usr/bin/env node
// Builds dist/ only when a source is newer than the last build (dist/.built), so that the CLIs
// (npm run events, square, db:migrate) and npm start do not rebuild — and delete — dist/ under
// running apps on every call. `npm run build` always builds, and stamps dist/.built.
// --stamp: only write the stamp (the last step of npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.built';
const SOURCES = [
  'apps',
  'libs',
  'team-handlers',
  'bench',
  'prisma/schema.prisma',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

if (process.argv.includes('--stamp')) {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.exit(0);
}

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'generated') continue; // the Prisma client follows the schema
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (SOURCES.some((source) => newest(source) > built)) {
  const result = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

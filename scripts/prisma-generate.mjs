#!/usr/bin/env node
// Runs `prisma generate` without network access. Generating the client needs no engine, but the
// Prisma CLI looks for its schema engine first and tries to download it when absent; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that (docs/OPERATING.md, "Database and migrations").
// --if-missing: do nothing when the client is already generated and newer than the schema.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const schema = 'prisma/schema.prisma';
const client = 'libs/database/src/generated/prisma/client.ts';

if (
  process.argv.includes('--if-missing') &&
  existsSync(client) &&
  statSync(client).mtimeMs >= statSync(schema).mtimeMs
) {
  process.exit(0);
}

let prismaCli;
try {
  prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
} catch {
  // Production installs (npm ci --omit=dev) have no Prisma CLI; the image copies the generated client.
  console.warn('prisma-generate: the prisma CLI is not installed; skipping client generation');
  process.exit(0);
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);

#!/usr/bin/env node
// Restores lockfile entries for other platforms' optional native packages.
//
// Why: this machine's npm registry serves only Linux builds of packages such as
// @unrs/resolver-binding-* (jest) and @msgpackr-extract/* (bullmq). `npm install` here silently
// leaves the other platforms' entries out of package-lock.json, and `npm ci` then refuses the
// lockfile ("Missing: … from lock file"). Each missing entry is written the way npm writes it
// (version, os, cpu, optional); npm ci skips entries whose os/cpu do not match the machine, so
// nothing is downloaded for them. Run after `npm install`: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm', 'wasm32'];

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${path}/node_modules/${name}`;
    if (packages[key] || packages[nested]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o));
    const cpu = CPU.find((c) => parts.includes(c) || parts.some((p) => p.startsWith(c)));
    if (!os && !cpu) continue; // not a platform package: leave it for npm to resolve
    packages[key] = { version, ...(cpu ? { cpu: [cpu] } : {}), ...(os ? { os: [os] } : {}), optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);

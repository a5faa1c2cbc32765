#!/usr/bin/env node
// `npm start`: the whole pipeline on this machine, for trying it and for development.
// Migrates the database, then runs every app as its own process (as in production) with
// readable logs, each line prefixed with the app's name. Ctrl-C stops everything cleanly.
//
// Without SQUARE_WEBHOOK_SIGNATURE_KEYS / SQUARE_WEBHOOK_NOTIFICATION_URL (in the environment
// or .env) it uses local development values, and without SQUARE_ACCESS_TOKEN (nor TOKEN_ENCRYPTION_KEY) it also runs the
// fake Square API (apps/fake-square) and points the worker at it, and without admin credentials
// it serves the admin app on 127.0.0.1 only, without authentication — so a fresh clone works
// out of the box. The apps themselves (node dist/apps/*/src/main.js, the Docker image) never
// default any of these.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
// Runs after the build: the configuration lib's own loaders and development key (the one the
// square CLI defaults to), so that every app's settings are checked before any of them starts.
import {
  ConfigError,
  DEV_SIGNATURE_KEY,
  isLoopbackHost,
  loadAppConfig,
  loadDotEnv,
} from '../dist/libs/config/src/index.js';

const APPS = ['ingress', 'worker', 'admin'];

loadDotEnv();
const env = { ...process.env };
// An empty variable (as in a .env copied from .env.example) counts as unset, as the apps read it.
for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
env.LOG_FORMAT ??= 'pretty';
// The development key only for a URL on this machine (the ingress refuses it for any other): with
// a public URL and no key, the check below asks for the subscription's key.
const isLocal = (url) => URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
if (
  !env.SQUARE_WEBHOOK_SIGNATURE_KEYS &&
  (env.SQUARE_WEBHOOK_NOTIFICATION_URL === undefined || isLocal(env.SQUARE_WEBHOOK_NOTIFICATION_URL))
) {
  env.SQUARE_WEBHOOK_SIGNATURE_KEYS = DEV_SIGNATURE_KEY;
  env.SQUARE_WEBHOOK_NOTIFICATION_URL ??= `http://localhost:${env.INGRESS_PORT ?? 3000}/webhooks/square`;
  console.warn(
    `start: SQUARE_WEBHOOK_SIGNATURE_KEYS is not set; using the development key "${DEV_SIGNATURE_KEY}" ` +
      `and ${env.SQUARE_WEBHOOK_NOTIFICATION_URL}. Set both (see .env.example) to receive Square's webhooks.`,
  );
}

if (!env.SQUARE_ACCESS_TOKEN && !env.TOKEN_ENCRYPTION_KEY) {
  env.SQUARE_ACCESS_TOKEN = 'fake-square-token';
  env.SQUARE_BASE_URL ??= `http://127.0.0.1:${env.FAKE_SQUARE_PORT ?? 3010}`;
  APPS.unshift('fake-square');
  console.warn(`start: SQUARE_ACCESS_TOKEN is not set; running the fake Square API on ${env.SQUARE_BASE_URL}.`);
}

if (!env.ADMIN_USERNAME && !env.ADMIN_PASSWORD && env.ADMIN_AUTH_DISABLED === undefined) {
  // Local use only: no credentials, so reachable from this machine alone (the admin app refuses
  // ADMIN_AUTH_DISABLED on an ADMIN_HOST other than loopback; its default is 127.0.0.1).
  env.ADMIN_AUTH_DISABLED = 'true';
  console.warn(
    `start: ADMIN_USERNAME/ADMIN_PASSWORD are not set; the admin app listens on ${env.ADMIN_HOST || '127.0.0.1'} without authentication.`,
  );
}

// Every app's configuration, checked before any process starts: one app's mistake is not buried
// among the others' logs.
const problems = [];
let consoleUrl = '';
for (const app of APPS) {
  try {
    const config = loadAppConfig(app === 'fake-square' ? 'fakeSquare' : app, env);
    if (app === 'admin') consoleUrl = consoleAddress(config.admin.host, config.admin.port);
    if (app === 'worker') config.forwarding.destinations.load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(`  ${app}:`, ...err.problems.map((p) => `    - ${p}`));
  }
}
if (problems.length > 0) {
  console.error(`start: invalid configuration, nothing started:\n${problems.join('\n')}`);
  process.exit(1);
}

// Every process starts as in the containers (scripts/docker-entrypoint.sh), memory settings included.
const ENTRYPOINT = 'scripts/docker-entrypoint.sh';
const migrate = spawnSync('sh', [ENTRYPOINT, 'migrate'], { env, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = APPS.map((app) => {
  const child = spawn('sh', [ENTRYPOINT, app], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let lastError = '';
  createInterface({ input: child.stdout }).on('line', (line) => console.log(`[${app}] ${line}`));
  createInterface({ input: child.stderr }).on('line', (line) => {
    console.log(`[${app}] ${line}`);
    if (line.trim()) lastError = line.trim();
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      // The reason again, last: it may be far up among the other apps' lines.
      console.error(
        `start: ${app} exited (${signal ?? code})${lastError ? `: ${lastError}` : ''}; stopping the others`,
      );
      stop(code || 1);
    }
  });
  return child;
});

console.log(`start: the console is at ${consoleUrl} (Bull Board at ${consoleUrl}admin/queues)`);

/** Where a browser on this machine opens the console (an all-interfaces bind is reached on loopback). */
function consoleAddress(host, port) {
  const reachable = ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/`;
}

let stopping = false;
function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  let alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (alive.length === 0) process.exit(exitCode);
  for (const child of alive) {
    child.once('exit', () => {
      alive = alive.filter((c) => c !== child);
      if (alive.length === 0) process.exit(exitCode);
    });
    child.kill('SIGTERM');
  }
  // Apps drain in-flight work on SIGTERM; do not wait forever for one that hangs.
  setTimeout(() => {
    for (const child of alive) child.kill('SIGKILL');
  }, 15_000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

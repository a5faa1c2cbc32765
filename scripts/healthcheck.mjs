#!/usr/bin/env node
// Container health check: exits 0 when GET http://127.0.0.1:<port><path> answers 2xx within 3 s.
// Usage: node scripts/healthcheck.mjs <port> [path=/health/ready]
const [port, path = '/health/ready'] = process.argv.slice(2);
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}

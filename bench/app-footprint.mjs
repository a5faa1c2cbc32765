#!/usr/bin/env node
// Start time and idle RSS of a built app (default: the ingress), as it runs in the image
// (scripts/docker-entrypoint.sh, heap settings included). Prints figures; asserts nothing.
//   node bench/app-footprint.mjs [app] [runs]
// Start time: from spawn to the port accepting connections (wall and CPU). RSS: VmRSS one second after.
// Needs the build (npm run build) and DATABASE_URL (the app does not query it to start).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const app = process.argv[2] ?? 'ingress';
const runs = Number(process.argv[3] ?? 5);
const PORTS = { ingress: 'INGRESS_PORT', worker: 'WORKER_PORT', admin: 'ADMIN_PORT' };

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const accepts = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
// utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms: the CPU the start cost, which a busy
// machine changes less than the wall time.
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const starts = [];
const cpu = [];
const rss = [];
for (let i = 0; i < runs; i += 1) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('sh', ['scripts/docker-entrypoint.sh', app], {
    env: {
      ...process.env,
      ENV_FILE: '/nonexistent',
      LOG_LEVEL: 'error',
      SQUARE_WEBHOOK_SIGNATURE_KEYS: process.env.SQUARE_WEBHOOK_SIGNATURE_KEYS ?? 'bench-key',
      SQUARE_WEBHOOK_NOTIFICATION_URL:
        process.env.SQUARE_WEBHOOK_NOTIFICATION_URL ?? 'http://localhost:3000/webhooks/square',
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
      [PORTS[app]]: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
    await sleep(5);
  }
  starts.push(performance.now() - started);
  cpu.push(cpuMs(child.pid));
  await sleep(1000);
  rss.push(rssMiB(child.pid));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${app}: ${runs} starts; start to listening median ${median(starts).toFixed(0)} ms (min ${Math.min(...starts).toFixed(0)}), CPU to listening median ${median(cpu)} ms, idle RSS median ${median(rss).toFixed(1)} MiB`,
);

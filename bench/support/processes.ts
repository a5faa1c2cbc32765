import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Socket, createServer } from 'node:net';

export interface Service {
  name: string;
  port: number;
  pid: number;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

// Whatever happens to the benchmark, none of its services may outlive it (they would skew
// every later measurement on the machine).
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `node <script>` with env (the port in `portVariable`), and waits until it listens. An
 * app name (ingress, worker) runs through scripts/docker-entrypoint.sh, as in the containers.
 */
export async function startService(name: string, script: string, env: Record<string, string>, portVariable: string): Promise<Service> {
  const port = await freePort();
  const [command, args] = script.endsWith('.js') ? [process.execPath, [script]] : ['sh', ['scripts/docker-entrypoint.sh', script]];
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ENV_FILE: '/nonexistent', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  let peak = 0;
  return {
    name,
    port,
    pid: child.pid!,
    peakRssMiB: () => (peak = Math.max(peak, readPeakRss(child.pid!))),
    stop: async () => {
      peak = Math.max(peak, readPeakRss(child.pid!));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function readPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0; // process gone
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

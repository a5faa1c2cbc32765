import { spawn } from 'node:child_process';
import { freePort, waitForPort } from './servers.js';

export interface AppProcess {
  port: number;
  pid: number;
  output(): string;
  /** Resolves once the output holds `text` (a line is written as the port opens, and arrives after it). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Whatever happens to a suite or a benchmark, none of the processes it started may outlive it.
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts an app on a free port given in `portVariable`, and waits until it listens. An app name
 * (ingress, worker, admin) runs through scripts/docker-entrypoint.sh, exactly as in the
 * containers, heap settings included; a path to a built script runs as `node <script>`.
 * The output kept is the last `keepOutput` characters; `startTimeoutMs`: how long it may take to listen.
 */
export async function spawnApp(
  app: string,
  env: Record<string, string>,
  portVariable: string,
  keepOutput = Infinity,
  startTimeoutMs = 20_000,
): Promise<AppProcess> {
  const port = await freePort();
  const [command, args] = app.endsWith('.js')
    ? [process.execPath, [app]]
    : ['sh', ['scripts/docker-entrypoint.sh', app]];
  const child = spawn(command, args, {
    env: { ...process.env, ENV_FILE: '/nonexistent', LOG_FORMAT: 'json', ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child.pid!);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-keepOutput));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => (running.delete(child.pid!), resolve({ code, signal }))),
  );
  try {
    await Promise.race([
      waitForPort(port, startTimeoutMs),
      exited.then(() => {
        throw new Error(`${app} exited early:\n${output}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    output: () => output,
    waitForOutput: async (text, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    },
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

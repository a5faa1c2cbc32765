import { spawn } from 'node:child_process';
import { freePort, waitForPort } from './servers.js';

export interface AppProcess {
  port: number;
  output(): string;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a built app (node dist/apps/…/main.js) as the containers do, on a free port given in
 * `portVariable`, and waits until it listens.
 */
export async function spawnApp(script: string, env: Record<string, string>, portVariable: string): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ENV_FILE: '/nonexistent', LOG_FORMAT: 'json', ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    await Promise.race([waitForPort(port, 15_000), exited.then(() => { throw new Error(`${script} exited early:\n${output}`); })]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    output: () => output,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

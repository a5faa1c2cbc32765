import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopProcess, waitForPort } from './servers.js';

export interface PgBouncer {
  /** `targetUrl` with its host and port replaced by PgBouncer's. */
  url: string;
  /** PgBouncer's process (setpriv execs it). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A private PgBouncer (Debian's, 1.18) in transaction mode in front of `targetUrl`'s Postgres:
 * `poolSize` server connections per database and user, so clients really share them.
 * PgBouncer refuses to run as root: as root, it runs as the postgres user.
 */
export async function startPgBouncer(targetUrl: string, poolSize = 3): Promise<PgBouncer> {
  const target = new URL(targetUrl);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  chmodSync(dir, 0o755);
  const user = decodeURIComponent(target.username || 'postgres');
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      // pg sends none of these unless asked; Prisma's and psql's clients may.
      'ignore_startup_parameters = extra_float_digits,options',
      'logfile =',
      'pidfile =',
    ].join('\n'),
    { mode: 0o644 },
  );
  const command = ['/usr/sbin/pgbouncer', join(dir, 'pgbouncer.ini')];
  const asRoot = process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups'] : [];
  const [bin, ...args] = [...asRoot, ...command];
  const child = spawn(bin!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  try {
    await waitForPort(port, 5000);
  } catch (err) {
    await stopProcess(child);
    throw new Error(`pgbouncer did not start: ${errors}`, { cause: err });
  }
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    pid: child.pid!,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { readFileSync } from 'node:fs';
import { spawnApp } from '../../test/support/processes.js';

export interface Service {
  name: string;
  port: number;
  pid: number;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time used so far (user + system), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** An app started as the tests start it (spawnApp), quiet but for warnings, with its peak memory. */
export async function startService(
  name: string,
  app: string,
  env: Record<string, string>,
  portVariable: string,
): Promise<Service> {
  const proc = await spawnApp(app, { LOG_LEVEL: 'warn', ...env }, portVariable, 4000);
  let peak = 0;
  const peakRssMiB = () => (peak = Math.max(peak, readPeakRss(proc.pid)));
  return {
    name,
    port: proc.port,
    pid: proc.pid,
    peakRssMiB,
    cpuSeconds: () => readCpuSeconds(proc.pid),
    stop: async () => {
      peakRssMiB();
      await proc.stop('SIGTERM');
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

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks: 100 a second on Linux). */
function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // process gone
  }
}

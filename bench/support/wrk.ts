import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedEvent, type LoadResult } from './load.js';

// "As fast as possible" runs use wrk (Debian's package), one thread: written in C, it takes a small
// share of the two cores the servers share (autocannon, in Node, took about as much CPU as the
// ingress). Each request is a distinct signed event, read from a file the Lua script cycles through.

const SCRIPT = `
local lines, i = {}, 0
init = function(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
end
request = function()
  i = i % #lines + 1
  local line = lines[i]
  local tab = string.find(line, "\\t", 1, true)
  return wrk.format("POST", nil, { ["content-type"] = "application/json",
    ["x-square-hmacsha256-signature"] = string.sub(line, 1, tab - 1) }, string.sub(line, tab + 1))
end`;

export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** wrk against `url` for `seconds`: signed POSTs of distinct events when `signing` is given, else GETs. */
export function wrkLoad(
  url: string,
  connections: number,
  seconds: number,
  signing?: { key: string; notificationUrl: string },
): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s'];
    if (signing) {
      // Enough distinct events for 12 000 req/s, well above what this machine reaches.
      const lines = Array.from({ length: seconds * 12_000 }, () => {
        const e = signedEvent(signing.key, signing.notificationUrl);
        return `${e.headers['x-square-hmacsha256-signature']}\t${e.body}`;
      });
      writeFileSync(join(dir, 'events.txt'), `${lines.join('\n')}\n`);
      writeFileSync(join(dir, 'post.lua'), SCRIPT);
      args.push('-s', join(dir, 'post.lua'), url, '--', join(dir, 'events.txt'));
    } else {
      args.push(url);
    }
    const run = spawnSync('wrk', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
    return parseWrk(run.stdout, seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseWrk(out: string, seconds: number): LoadResult {
  const ms = (value: string | undefined) => {
    const m = /([\d.]+)(us|ms|s)/.exec(value ?? '');
    if (!m) return 0;
    const n = Number(m[1]);
    return Math.round(m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n);
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    max: ms(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(out)?.[1]),
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    seconds,
  };
}

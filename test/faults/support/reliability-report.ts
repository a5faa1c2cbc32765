import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = 'docs/RELIABILITY.md';

/**
 * Writes one scenario's outcome into docs/RELIABILITY.md, between its own markers, so each run
 * refreshes the figures and the prose around them stays. FAULTS_REPORT=0 leaves the file alone.
 */
export function recordScenario(id: string, markdown: string): void {
  if (process.env.FAULTS_REPORT === '0') return;
  const start = `<!-- fault:${id}:start -->`;
  const end = `<!-- fault:${id}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Reliability\n';
  const next = current.includes(start)
    ? current.slice(0, current.indexOf(start)) + block + current.slice(current.indexOf(end) + end.length)
    : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}

export function table(rows: Array<[string, string | number]>): string {
  return ['| | |', '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES, parseDurationMs, type VariableName } from './variables.js';

// docs/CONFIGURATION.md is the configuration reference: every variable declared in variables.ts has
// exactly one row there, the reference names nothing the code does not read, its defaults are the
// code's, and .env.example names only variables that exist. A variable added without its row (or a
// row left behind by a removed variable) fails here, naming the variable and the file to change.

const ROOT = process.cwd();
const REFERENCE = 'docs/CONFIGURATION.md';
const ENV_EXAMPLE = '.env.example';
const DECLARED = 'libs/config/src/variables.ts';

/** Read outside libs/config (before it runs, or by a library), so not declared in variables.ts: the name, and the file that reads or names it. */
const READ_OUTSIDE: Record<string, string> = {
  ENV_FILE: 'libs/config/src/dotenv.ts',
  NODE_OPTIONS: 'scripts/docker-entrypoint.sh',
  // Read by OpenTelemetry's exporter and resource themselves (start-tracing.ts says which).
  OTEL_EXPORTER_OTLP_HEADERS: 'libs/tracing/src/start-tracing.ts',
  OTEL_EXPORTER_OTLP_TIMEOUT: 'libs/tracing/src/start-tracing.ts',
  OTEL_EXPORTER_OTLP_COMPRESSION: 'libs/tracing/src/start-tracing.ts',
  OTEL_RESOURCE_ATTRIBUTES: 'libs/tracing/src/start-tracing.ts',
};

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const declared = new Set(Object.keys(VARIABLES));

interface Row {
  name: string;
  line: number;
  defaultCell: string;
}

/** The rows of the reference's tables: those whose header's first column is "Variable". */
function referenceRows(markdown: string): Row[] {
  const rows: Row[] = [];
  let inTable = false;
  markdown.split('\n').forEach((text, i) => {
    if (!text.startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = text
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (/^Variable$/i.test(cells[0] ?? '')) inTable = true;
    else if (inTable && !/^-+$/.test(cells[0] ?? '')) {
      for (const [, name] of (cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g))
        rows.push({ name: name!, line: i + 1, defaultCell: cells[1] ?? '' });
    }
  });
  return rows;
}

const rows = referenceRows(read(REFERENCE));

describe(`the configuration reference (${REFERENCE})`, () => {
  it('has tables to read', () => {
    expect(rows.length).toBeGreaterThan(declared.size / 2);
  });

  it(`documents every variable of ${DECLARED} exactly once`, () => {
    const problems: string[] = [];
    for (const name of declared) {
      const found = rows.filter((r) => r.name === name);
      if (found.length === 0)
        problems.push(
          `${name} is declared in ${DECLARED} but has no row in ${REFERENCE}: add one to the table of its topic`,
        );
      if (found.length > 1)
        problems.push(
          `${name} has ${found.length} rows in ${REFERENCE} (lines ${found.map((r) => r.line).join(', ')}): keep one`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('documents no variable the code does not read', () => {
    const problems: string[] = [];
    for (const { name, line } of rows) {
      if (declared.has(name)) continue;
      const reader = READ_OUTSIDE[name];
      if (reader === undefined)
        problems.push(
          `${REFERENCE}:${line} documents ${name}, which ${DECLARED} does not declare: remove the row, or declare the variable`,
        );
      else if (!read(reader).includes(name))
        problems.push(`${REFERENCE}:${line} documents ${name} as read by ${reader}, which no longer names it`);
    }
    expect(problems).toEqual([]);
  });

  it("gives each variable the code's default", () => {
    const problems: string[] = [];
    for (const { name, line, defaultCell } of rows) {
      if (!declared.has(name)) continue;
      const documented = /^`([^`]*)`/.exec(defaultCell)?.[1];
      const actual: unknown = VARIABLES[name as VariableName].parse(undefined);
      if (documented === undefined) {
        // "—": no default, and the code must agree (unset, or an empty list); words describe one.
        if (defaultCell.startsWith('—') && actual !== undefined && !(Array.isArray(actual) && actual.length === 0))
          problems.push(
            `${REFERENCE}:${line}: ${name} has no default there, but the code's is ${JSON.stringify(actual)}`,
          );
        continue;
      }
      if (typeof actual === 'object') continue; // lists and keys: described in words
      const expected =
        name === 'INGRESS_MAX_INFLIGHT_BODY_MIB'
          ? Number(documented) * 1024 * 1024
          : name === 'FORWARD_AUTO_PAUSE_AFTER'
            ? parseDurationMs(documented)
            : typeof actual === 'number'
              ? Number(documented)
              : typeof actual === 'boolean'
                ? documented === 'true'
                : documented;
      if (expected !== actual)
        problems.push(
          `${REFERENCE}:${line}: ${name} defaults to \`${documented}\` there, but to ${JSON.stringify(actual)} in ${DECLARED}`,
        );
    }
    expect(problems).toEqual([]);
  });
});

describe(ENV_EXAMPLE, () => {
  it('names only variables the code reads (or secrets a destinations file names as ${NAME})', () => {
    const text = read(ENV_EXAMPLE);
    const problems: string[] = [];
    text.split('\n').forEach((line, i) => {
      const name = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      if (name === undefined || declared.has(name) || name in READ_OUTSIDE || text.includes(`\${${name}}`)) return;
      problems.push(`${ENV_EXAMPLE}:${i + 1} sets ${name}, which ${DECLARED} does not declare`);
    });
    expect(problems).toEqual([]);
  });
});

// Query parameters of the admin API's lists (the CLI checks its flags with the same functions):
// every problem is collected, so that one 400 names them all.

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Unknown parameters are refused: a misspelt filter must not silently list everything. */
export function unknownParams(query: Record<string, unknown>, known: readonly string[], problems: string[]): void {
  const unknown = Object.keys(query).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    problems.push(`unknown query parameter(s): ${unknown.join(', ')} (known: ${known.join(', ')})`);
}

export function single(value: unknown, name: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${name} must be given once`);
    return undefined;
  }
  return value;
}

/** Comma-separated, and/or repeated (status=a&status=b); empty items are dropped. */
export function list(value: unknown, name: string, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) =>
    typeof v === 'string' ? v.split(',') : [null],
  );
  if (parts.includes(null)) {
    problems.push(`${name} must be a comma-separated list`);
    return undefined;
  }
  const items = (parts as string[]).map((p) => p.trim()).filter(Boolean);
  if (items.length === 0) problems.push(`${name} must not be empty`);
  return items;
}

export function integer(value: unknown, name: string, problems: string[]): number | undefined {
  const raw = single(value, name, problems);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIMIT) {
    problems.push(`${name} must be a whole number from 1 to ${MAX_LIMIT} (got "${clip(raw)}")`);
    return undefined;
  }
  return n;
}

/** Echoed input stays short in error messages and logs. */
export function clip(value: string): string {
  return value.length > 50 ? `${value.slice(0, 50)}…` : value;
}

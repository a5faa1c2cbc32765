// Reads environment variables one by one, collecting every problem so that startup can fail once
// with a message naming all bad variables. Values of secrets never appear in a message.

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** An optional string; empty counts as unset. */
  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  required(name: string, hint: string): string {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is required (${hint})`);
    return value ?? '';
  }

  /** A comma-separated list of at least one non-empty item. */
  list(name: string, hint: string): string[] {
    const items = this.optionalList(name);
    if (items.length === 0) this.problems.push(`${name} is required (${hint})`);
    return items;
  }

  /** A comma-separated list, empty when unset. */
  optionalList(name: string): string[] {
    return (this.optional(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** A URL whose scheme is one of `protocols`; the value is returned untouched (never normalized). */
  url(name: string, protocols: readonly string[], fallback?: string, opts: { secret?: boolean } = {}): string {
    const value = this.optional(name) ?? fallback;
    const expected = `a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
    if (value === undefined) {
      this.problems.push(`${name} is required (${expected})`);
      return '';
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol)) {
      this.problems.push(`${name} must be ${expected}${opts.secret ? '' : ` (got "${value}")`}`);
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const match = values.find((v) => v.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
      this.problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }

  /** Throws one ConfigError listing every problem found so far. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

import type pg from 'pg';
import { WebhookEventStatus } from './generated/prisma/enums.js';

/** The inbox statuses, from the schema's enum: SQL text interpolates these, never a literal of its own. */
export const STATUS = WebhookEventStatus;

/**
 * A statement written as literal SQL with :named parameters (a cast follows as usual:
 * `:ids::text[]`), prepared once per connection under `name` (parsing and planning on every call
 * cost Postgres more CPU than running the hot statements; behind a transaction pooler pg-pool.ts
 * sends them unnamed: docs/SCALING.md). Values are bound by name, so a column
 * list and its values cannot drift apart, and a missing or unknown name throws.
 */
export class Statement<P extends Record<string, unknown>> {
  readonly text: string;
  private readonly params: readonly string[];

  constructor(
    readonly name: string,
    sql: string,
  ) {
    const params: string[] = [];
    // A placeholder is ':' + a name, not preceded by ':' or a word character (so not a '::cast').
    this.text = sql.replace(/(?<![:\w]):([a-z_][a-z0-9_]*)/gi, (_, param: string) => {
      if (!params.includes(param)) params.push(param);
      return `$${params.indexOf(param) + 1}`;
    });
    this.params = params;
  }

  /** The query for pg: { name, text, values } with the values in placeholder order. */
  bind(values: P): pg.QueryConfig<unknown[]> {
    const given = Object.keys(values);
    const unknown = given.filter((key) => !this.params.includes(key));
    const missing = this.params.filter((param) => !given.includes(param));
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(`statement ${this.name}: ${[...missing.map((m) => `missing :${m}`), ...unknown.map((u) => `unknown :${u}`)].join(', ')}`);
    }
    return { name: this.name, text: this.text, values: this.params.map((param) => values[param]) };
  }
}

export function statement<P extends Record<string, unknown>>(name: string, sql: string): Statement<P> {
  return new Statement<P>(name, sql);
}

import pg from 'pg';
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
/** What a statement runs on: the pool, or the connection of a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A row whose columns a statement did not declare: reading one needs a type of its own. */
export type UntypedRow = Record<string, unknown>;

export class Statement<P extends Record<string, unknown>, R extends pg.QueryResultRow = UntypedRow> {
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
      throw new Error(
        `statement ${this.name}: ${[...missing.map((m) => `missing :${m}`), ...unknown.map((u) => `unknown :${u}`)].join(', ')}`,
      );
    }
    return { name: this.name, text: this.text, values: this.params.map((param) => values[param]) };
  }

  /**
   * The statement as literal SQL, its values escaped (pg's escapeLiteral), to be sent in one
   * message with other statements over the simple protocol — one round trip fewer, at the price of
   * Postgres parsing and planning it each time: for a statement that rides along with another
   * (EventTransaction.runBeforeCommit). Only strings, finite numbers, booleans, dates, null and
   * arrays of strings.
   */
  inline(values: P): string {
    const bound = this.bind(values).values ?? [];
    // $n placeholders never sit inside a literal of our statements (their values are all parameters).
    return this.text.replace(/\$(\d+)\b/g, (_, n: string) => literal(bound[Number(n) - 1]));
  }

  /** Runs the statement on `db`; its rows come typed as the statement declared them. */
  run(db: Queryable, values: P): Promise<pg.QueryResult<R>> {
    return (db as Pick<pg.Pool, 'query'>).query<R>(this.bind(values));
  }
}

/** `statement<Params, Row>(name, sql)`: Row is what one row of its result holds (omit it for none). */
export function statement<P extends Record<string, unknown>, R extends pg.QueryResultRow = UntypedRow>(
  name: string,
  sql: string,
): Statement<P, R> {
  return new Statement<P, R>(name, sql);
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return `ARRAY[${value.map((v) => pg.escapeLiteral(v)).join(', ')}]::text[]`;
  throw new Error(`no SQL literal for ${typeof value}`);
}

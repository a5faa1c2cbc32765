import type pg from 'pg';

// What a handler's ctx.sql accepts: one statement (the extended protocol refuses more), and none
// that would end, restart or step out of the event's transaction, or change the pooled
// connection's session for the events after it. The statement's first keyword says which it is:
// Postgres starts every transaction-control and session statement with one of these.

/** What a handler's ctx.sql returns. */
export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export type HandlerSql = <R = Record<string, unknown>>(
  text: string,
  values?: readonly unknown[],
) => Promise<SqlResult<R>>;

/** A statement ctx.sql will not run: retrying cannot make it acceptable. */
export class HandlerSqlRefusedError extends Error {
  override name = 'HandlerSqlRefusedError';
  readonly permanent = true;
}

const ENDS_TRANSACTION =
  "transaction control belongs to the worker, which commits the event's transaction with the claim of the event id";
const CHANGES_SESSION = "it would change the pooled connection's session for the events after this one";

const REFUSED: Readonly<Record<string, string>> = {
  BEGIN: ENDS_TRANSACTION,
  START: ENDS_TRANSACTION,
  COMMIT: ENDS_TRANSACTION,
  END: ENDS_TRANSACTION,
  ROLLBACK: ENDS_TRANSACTION,
  ABORT: ENDS_TRANSACTION,
  SAVEPOINT: ENDS_TRANSACTION,
  RELEASE: ENDS_TRANSACTION,
  // PREPARE TRANSACTION ends the transaction; PREPARE name AS … outlives it.
  PREPARE: `${ENDS_TRANSACTION}, and a prepared statement outlives it`,
  RESET: CHANGES_SESSION,
  DISCARD: CHANGES_SESSION,
  DEALLOCATE: CHANGES_SESSION,
  LISTEN: CHANGES_SESSION,
  UNLISTEN: CHANGES_SESSION,
  LOAD: CHANGES_SESSION,
};

// SET LOCAL ends with the transaction; SET CONSTRAINTS applies to it only. Any other SET (SET x,
// SET SESSION …, SET ROLE, SET SESSION AUTHORIZATION) lasts as long as the connection.
const TRANSACTION_SCOPED_SET = new Set(['LOCAL', 'CONSTRAINTS']);

/**
 * A handler's ctx.sql over `run` (the transaction's): refuses what `refusal` names, then runs the
 * statement over the extended protocol (Parse/Bind/Execute, even without values; pg's queryMode,
 * which @types/pg does not declare), where Postgres refuses several statements in one Parse.
 * `ran` is called before each statement sent.
 */
export function handlerSql(
  run: <R>(query: pg.QueryConfig<unknown[]>) => Promise<pg.QueryResult<R & pg.QueryResultRow>>,
  ran: () => void,
): HandlerSql {
  return async <R>(text: string, values: readonly unknown[] = []) => {
    const refused = refusal(text);
    if (refused !== undefined) throw new HandlerSqlRefusedError(refused);
    ran();
    const query: pg.QueryConfig<unknown[]> & { queryMode: 'extended' } = {
      text,
      values: [...values],
      queryMode: 'extended',
    };
    const result = await run<R>(query).catch((err: unknown) => {
      throw isMultipleCommands(err)
        ? new HandlerSqlRefusedError(`ctx.sql runs one statement per call: ${(err as Error).message}`)
        : err;
    });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };
}

/** Postgres' answer to several statements in one Parse (42601 is any syntax error: the text says which). */
function isMultipleCommands(err: unknown): boolean {
  return (
    (err as { code?: unknown }).code === '42601' && err instanceof Error && err.message.includes('multiple commands')
  );
}

/** Why ctx.sql refuses this statement, as a sentence naming it; undefined when it may run. */
export function refusal(text: string): string | undefined {
  const [first, second] = leadingWords(text, 2);
  if (first === undefined) return undefined;
  if (first === 'SET') {
    if (second !== undefined && TRANSACTION_SCOPED_SET.has(second)) return undefined;
    return `ctx.sql refuses SET without LOCAL: ${CHANGES_SESSION}; SET LOCAL ends with the event's transaction`;
  }
  const why = REFUSED[first];
  return why === undefined ? undefined : `ctx.sql refuses ${first}: ${why}`;
}

/**
 * The first words of a statement, upper-cased, as Postgres' lexer reads them: whitespace,
 * -- comments, nested /* *\/ comments and empty statements (a leading ';') before and between.
 */
export function leadingWords(text: string, count: number): string[] {
  const words: string[] = [];
  let i = 0;
  while (words.length < count && i < text.length) {
    i = skipNoise(text, i);
    const word = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i))?.[0];
    if (word === undefined) break;
    words.push(word.toUpperCase());
    i += word.length;
  }
  return words;
}

// Postgres' whitespace (no other: a non-ASCII space is part of a word to its lexer), and ';'.
const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v', ';']);

function skipNoise(text: string, from: number): number {
  let i = from;
  for (;;) {
    if (i < text.length && SPACE.has(text[i]!)) i++;
    else if (text.startsWith('--', i)) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) i = commentEnd(text, i);
    else return i;
  }
}

function lineEnd(text: string, from: number): number {
  const end = text.slice(from).search(/[\n\r]/);
  return end < 0 ? text.length : from + end;
}

/** Past a /* comment *\/, which nests in Postgres; an unterminated one runs to the end. */
function commentEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}

import { leadingWords, refusal } from './handler-sql.js';

describe('refusal: what ctx.sql will not run', () => {
  it.each([
    'COMMIT',
    'cOmMiT',
    "commit prepared 'x'",
    'END',
    'end transaction',
    'ABORT',
    'ROLLBACK',
    'rollback to savepoint a',
    "ROLLBACK PREPARED 'x'",
    'BEGIN',
    'START TRANSACTION',
    'SAVEPOINT a',
    'RELEASE SAVEPOINT a',
    "PREPARE TRANSACTION 'x'",
    'PREPARE q AS SELECT 1',
    '/* x */ COMMIT',
    '/* nested /* comment */ still */COMMIT',
    '-- a line\nCOMMIT',
    ';;COMMIT',
    ' \t\n\r\f\v COMMIT;',
    '/**/commit',
  ])('ends or steps out of the transaction: %j', (text) => {
    expect(refusal(text)).toMatch(/^ctx\.sql refuses [A-Z]+: transaction control belongs to the worker/);
  });

  it.each([
    'SET search_path = nowhere',
    'set search_path to nowhere',
    'SET SESSION statement_timeout = 1',
    'SET ROLE someone',
    'SET SESSION AUTHORIZATION someone',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
    "SET TIME ZONE 'UTC'",
    '/* x */ SET -- y\n search_path = x',
  ])('changes the session: %j', (text) => {
    expect(refusal(text)).toMatch(
      /^ctx\.sql refuses SET without LOCAL: it would change the pooled connection's session/,
    );
  });

  it.each([
    'RESET ALL',
    'reset search_path',
    'DISCARD ALL',
    'DEALLOCATE ALL',
    'LISTEN x',
    'UNLISTEN *',
    "LOAD 'auto_explain'",
  ])('changes the session: %j', (text) => {
    expect(refusal(text)).toMatch(/^ctx\.sql refuses [A-Z]+: it would change the pooled connection's session/);
  });

  it.each([
    'SELECT 1',
    'INSERT INTO t VALUES ($1)',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    '(SELECT 1)',
    'UPDATE commits SET n = 1',
    'SET LOCAL search_path = x',
    'set /* c */ local statement_timeout = 5',
    'SET CONSTRAINTS ALL DEFERRED',
    'NOTIFY channel',
    'DO $$ BEGIN END $$',
    "SELECT 'COMMIT'",
    'committed_orders',
    'endpoint',
    '',
    '  -- nothing',
  ])('may run: %j', (text) => {
    expect(refusal(text)).toBeUndefined();
  });

  it('reads words as Postgres does: a non-ASCII space is part of a word, not a separator', () => {
    expect(leadingWords('\u00a0COMMIT', 1)).toEqual(['\u00A0COMMIT']);
    expect(leadingWords('/* a /* b */ c */ set\nlocal x', 2)).toEqual(['SET', 'LOCAL']);
    expect(leadingWords('/* never closed COMMIT', 1)).toEqual([]);
  });
});

import { statement } from './sql.js';

describe('statement', () => {
  it('numbers :named parameters in order of first use, leaving ::casts alone', () => {
    const s = statement<{ ids: string[]; at: Date }>(
      'x',
      `SELECT * FROM t WHERE id = ANY(:ids::text[]) AND a > :at AND b < :at::timestamptz AND c = 'x::y'`,
    );
    expect(s.text).toBe(`SELECT * FROM t WHERE id = ANY($1::text[]) AND a > $2 AND b < $2::timestamptz AND c = 'x::y'`);
    const at = new Date(0);
    expect(s.bind({ at, ids: ['a'] })).toEqual({ name: 'x', text: s.text, values: [['a'], at] });
  });

  it('refuses a missing or an unknown value, naming it', () => {
    const s = statement<{ a: number; b: number }>('y', 'SELECT :a, :b');
    expect(() => s.bind({ a: 1 } as never)).toThrow('statement y: missing :b');
    expect(() => s.bind({ a: 1, b: 2, c: 3 } as never)).toThrow('statement y: unknown :c');
  });

  it('inlines values as escaped literals (quotes, backslashes, arrays, dates, null), and refuses what it cannot write', () => {
    const s = statement<{ id: string; n: number; ok: boolean; at: Date; tags: string[]; none: string | null }>(
      'z',
      'SELECT :id, :n, :ok, :at, :tags, :none, :id',
    );
    const inlined = s.inline({ id: "it's \\ $1", n: 3, ok: true, at: new Date(0), tags: ["a'b"], none: null });
    expect(inlined).toBe(
      `SELECT  E'it''s \\\\ $1', 3, true, '1970-01-01T00:00:00.000Z', ARRAY['a''b']::text[], NULL,  E'it''s \\\\ $1'`,
    );
    expect(() => statement<{ o: object }>('w', 'SELECT :o').inline({ o: {} })).toThrow('no SQL literal for object');
  });
});

import { statement } from './sql.js';

describe('statement', () => {
  it('numbers :named parameters in order of first use, leaving ::casts alone', () => {
    const s = statement<{ ids: string[]; at: Date }>('x', `SELECT * FROM t WHERE id = ANY(:ids::text[]) AND a > :at AND b < :at::timestamptz AND c = 'x::y'`);
    expect(s.text).toBe(`SELECT * FROM t WHERE id = ANY($1::text[]) AND a > $2 AND b < $2::timestamptz AND c = 'x::y'`);
    const at = new Date(0);
    expect(s.bind({ at, ids: ['a'] })).toEqual({ name: 'x', text: s.text, values: [['a'], at] });
  });

  it('refuses a missing or an unknown value, naming it', () => {
    const s = statement<{ a: number; b: number }>('y', 'SELECT :a, :b');
    expect(() => s.bind({ a: 1 } as never)).toThrow('statement y: missing :b');
    expect(() => s.bind({ a: 1, b: 2, c: 3 } as never)).toThrow('statement y: unknown :c');
  });
});

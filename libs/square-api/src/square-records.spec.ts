import { parseRetryAfter } from './square-api.errors.js';
import { wireJson } from './square-records.js';

describe('wireJson', () => {
  it('writes bigints as plain JSON numbers, exactly', () => {
    expect(wireJson({ amount_money: { amount: 2450n, currency: 'USD' } })).toBe('{"amount_money":{"amount":2450,"currency":"USD"}}');
    expect(wireJson({ big: 12345678901234567890n, neg: -5n })).toBe('{"big":12345678901234567890,"neg":-5}');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

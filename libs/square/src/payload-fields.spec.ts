import { nonEmptyStringOrNull, stringOrNull } from './payload-fields.js';

describe('payload fields', () => {
  it('stringOrNull keeps any string, the empty one included', () => {
    expect(stringOrNull('M1')).toBe('M1');
    expect(stringOrNull('')).toBe('');
    expect(stringOrNull(7)).toBeNull();
    expect(stringOrNull(undefined)).toBeNull();
  });

  it('nonEmptyStringOrNull turns the empty string into null', () => {
    expect(nonEmptyStringOrNull('L1')).toBe('L1');
    expect(nonEmptyStringOrNull('')).toBeNull();
    expect(nonEmptyStringOrNull(null)).toBeNull();
  });
});

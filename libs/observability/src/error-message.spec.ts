import { errorMessage } from './error-message.js';

describe('errorMessage', () => {
  it('keeps the line of a Prisma error that says what went wrong', () => {
    const err = new Error(
      "\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5`",
    );
    expect(errorMessage(err)).toBe(
      "Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5`",
    );
  });

  it('handles plain errors, non-errors and empty messages', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage(new TypeError(''))).toBe('TypeError');
  });
});

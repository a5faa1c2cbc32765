import { TimeoutError, withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('gives the work its result when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError, and its message, when the work does not settle in time', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20)).rejects.toEqual(new TimeoutError('no answer within 20 ms'));
    await expect(withTimeout(never, 20, 'is Redis reachable?')).rejects.toBeInstanceOf(TimeoutError);
  });

  it('treats a deadline already past as expired', async () => {
    await expect(withTimeout(new Promise<never>(() => undefined), -5)).rejects.toBeInstanceOf(TimeoutError);
  });
});

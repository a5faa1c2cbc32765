import { TransactionLeftError } from '@app/database';
import type { HandlerContext } from '@app/handlers';
import { classifyFailure } from '../square-events/failure-policy.js';
import { HandlerError, teamHandler, type ApplyContext } from './applied-handler.js';

describe('teamHandler', () => {
  const context = (sql: HandlerContext['sql']) =>
    ({ event: { id: 'e1' }, object: null, sql, attempt: 1, logger: {} }) as unknown as ApplyContext;
  const refusing: HandlerContext['sql'] = async () => {
    throw Object.assign(new Error('ctx.sql refuses COMMIT: …'), { permanent: true });
  };

  it('fails when a statement failed, even though the handler caught the error and went on', async () => {
    const handler = teamHandler({
      name: 'h',
      eventTypes: ['*'],
      handle: async ({ sql }) => {
        await sql('COMMIT').catch(() => undefined);
      },
    });
    await expect(handler.handle(context(refusing))).rejects.toThrow('ctx.sql refuses COMMIT');
  });

  it('gives the handler a frozen context of the documented fields only', async () => {
    let seen: HandlerContext | undefined;
    const handler = teamHandler({ name: 'h', eventTypes: ['*'], handle: async (ctx) => void (seen = ctx) });
    await handler.handle(context(refusing));
    expect(Object.keys(seen!).sort()).toEqual(['attempt', 'event', 'logger', 'object', 'sql']);
    expect(Object.isFrozen(seen)).toBe(true);
  });
});

describe('HandlerError', () => {
  it('names the handlers a transaction left at the commit may be due to, and is permanent', () => {
    const left = new HandlerError(['a', 'b'], new TransactionLeftError('the transaction was ended before its commit'));
    expect(left.message).toBe('one of handlers "a", "b" failed: the transaction was ended before its commit');
    expect(classifyFailure(left)).toEqual({ permanent: true, reason: 'handler_permanent' });
    expect(new HandlerError('a', new Error('x')).message).toBe('handler "a" failed: x');
  });
});

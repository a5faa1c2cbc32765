import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import { loadHandlerModules } from './handler-modules.js';

describe('loadHandlerModules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'handlers-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const problems = async (paths: string[]) => {
    try {
      await loadHandlerModules(paths, ['square-mirror'], dir);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('loads a handler, or an array of them, from paths absolute or relative to the working directory', async () => {
    file('one.mjs', `export default { name: 'one', eventTypes: ['payment.updated'], async handle() {} };`);
    file(
      'two.mjs',
      `export default [{ name: 'a', eventTypes: ['payment.*'], async handle() {} }, { name: 'b', eventTypes: ['*'], async handle() {} }];`,
    );
    const handlers = await loadHandlerModules(['one.mjs', join(dir, 'two.mjs')], [], dir);
    expect(handlers.map((h) => h.handler.name)).toEqual(['one', 'a', 'b']);
    expect(handlers.map((h) => h.file)).toEqual([join(dir, 'one.mjs'), join(dir, 'two.mjs'), join(dir, 'two.mjs')]);
  });

  it('names every problem, each with SQUARE_EVENT_HANDLERS and the path', async () => {
    file('throws.mjs', `throw new Error('cannot connect to the CRM');`);
    file('no-default.mjs', `export const handler = {};`);
    file('string.mjs', `export default 'handler';`);
    file('nameless.mjs', `export default { eventTypes: ['*'], async handle() {} };`);
    file('no-types.mjs', `export default { name: 'x', async handle() {} };`);
    file('bad-type.mjs', `export default { name: 'y', eventTypes: ['payment*'], async handle() {} };`);
    file('no-handle.mjs', `export default { name: 'z', eventTypes: ['*'] };`);
    file('dup-a.mjs', `export default { name: 'same', eventTypes: ['*'], async handle() {} };`);
    file(
      'dup-b.mjs',
      `export default [{ name: 'same', eventTypes: ['*'], async handle() {} }, { name: 'square-mirror', eventTypes: ['*'], async handle() {} }];`,
    );
    expect(
      await problems([
        'missing.mjs',
        'throws.mjs',
        'no-default.mjs',
        'string.mjs',
        'nameless.mjs',
        'no-types.mjs',
        'bad-type.mjs',
        'no-handle.mjs',
        'dup-a.mjs',
        'dup-b.mjs',
      ]),
    ).toEqual([
      `SQUARE_EVENT_HANDLERS: missing.mjs does not exist (looked for ${join(dir, 'missing.mjs')})`,
      'SQUARE_EVENT_HANDLERS: throws.mjs throws on import: cannot connect to the CRM',
      'SQUARE_EVENT_HANDLERS: no-default.mjs has no default export (export default a handler { name, eventTypes, handle(ctx) }, or an array of them)',
      'SQUARE_EVENT_HANDLERS: string.mjs exports string, not a handler { name, eventTypes, handle(ctx) }',
      'SQUARE_EVENT_HANDLERS: nameless.mjs exports a handler without a name (a non-empty string; { name, eventTypes, handle(ctx) })',
      'SQUARE_EVENT_HANDLERS: no-types.mjs exports handler "x" without eventTypes (a non-empty array, e.g. ["payment.updated"], ["payment.*"] or ["*"])',
      'SQUARE_EVENT_HANDLERS: bad-type.mjs exports handler "y" with eventTypes "payment*" is not an event type, a prefix like payment.* or *',
      'SQUARE_EVENT_HANDLERS: no-handle.mjs exports handler "z" without a handle(ctx) function',
      'SQUARE_EVENT_HANDLERS: two handlers are named "same" (dup-a.mjs and dup-b.mjs)',
      'SQUARE_EVENT_HANDLERS: two handlers are named "square-mirror" (the pipeline itself and dup-b.mjs)',
    ]);
  });
});

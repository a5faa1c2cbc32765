// Preloaded with `node --import ./test/support/loaded-modules.mjs`: writes every module the process
// loaded (ES modules through a resolve hook, CommonJS from require.cache) to LOADED_MODULES_FILE,
// one file URL or path a line, so that a test can say what an app did not load.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.LOADED_MODULES_FILE;
if (file) {
  register('./loaded-modules.hooks.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () =>
    appendFileSync(
      file,
      Object.keys(require.cache)
        .map((p) => `${p}\n`)
        .join(''),
    ),
  );
}

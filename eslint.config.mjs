// ESLint (flat config): typescript-eslint's type-checked rules over the TypeScript, plain JS rules over the
// scripts. Run by `npm run lint` (zero warnings) in .ci/run. Formatting is Prettier's job (eslint-config-prettier
// turns off the rules that would fight it). A rule is turned off only with its reason beside it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'libs/database/src/generated/', 'docs/console/']),
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // One TypeScript program per tsconfig.json, as `npm run typecheck` sees the code.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Named here although recommendedTypeChecked has some of them: the ones our code leans on, and a few from
      // strictTypeChecked / stylisticTypeChecked that the code already follows.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // Nest reads constructor parameter types at run time (emitDecoratorMetadata): the rule reads that from
        // tsconfig.json and leaves files with decorators alone, where a type-only import would break injection.
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        // `_name` says "unused on purpose" (a parameter an interface requires, a destructured-away field).
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-deprecated': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // CONVENTIONS.md, turned into checks: libs/config is the only reader of process.env; apps never import each
    // other, and libs import no app (what two apps share is a lib). Tests, bench and scripts are harnesses.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @app/config (libs/config).' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+([\\w-]+/src/|.*\\b(apps|libs)/)',
              message: 'Apps never import each other; libs import no app, and other libs only through @app/*.',
            },
          ],
        },
      ],
    },
  },
  {
    // Each section's class is its injection token and merges with the interface of its values: Nest finds a
    // provider by the constructor parameter's type, which must be a class (emitDecoratorMetadata writes a type
    // alias as Object). The classes are never instantiated (the validated values object is provided instead).
    files: ['libs/config/src/sections.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.faults-spec.ts', 'test/**/*.ts'],
    rules: {
      // @types/jest types every asymmetric matcher (expect.stringContaining, expect.any, …) as `any`, so each
      // expected object that uses one would be "unsafe"; tests compare values at run time anyway.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Fakes implement async interfaces with bodies that have nothing to await; `async` keeps their errors
      // rejections, as the real implementations' are.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
  prettier,
);

// Jest runs in native ESM mode (node --experimental-vm-modules): NestJS 12 ships ES modules only.
const moduleNameMapper = {
  '^@app/(config|database|events|handlers|health|http|merchants|metrics|observability|queue|queue-runtime|square|square-api|testing|timeouts|tracing)$':
    '<rootDir>/libs/$1/src/index.ts',
  // Sources import './x.js' (ESM); jest resolves the .ts file.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper,
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};

export default {
  // A global option (ignored inside projects): e2e suites wait for real processes and retries.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test/docs'],
      testRegex: '\\.spec\\.ts$',
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/test/faults/'],
      testRegex: '\\.e2e-spec\\.ts$',
    },
    // npm run test:faults: fault injection under load, minutes long; not part of `npm test`.
    { ...common, displayName: 'faults', roots: ['<rootDir>/test/faults'], testRegex: '\\.faults-spec\\.ts$' },
  ],
};

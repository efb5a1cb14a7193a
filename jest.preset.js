/** Shared jest settings: swc transpiles TypeScript and the ESM-only dependencies; type checking is the `typecheck` target's job. */

/**
 * Which tests a run takes, by where they live: unit tests beside the code they test (`src/`), fast
 * and in-process; integration tests under `tests/` (state-machine runs with the real handlers,
 * child processes, osls packaging, DuckDB end to end, the fault suite, long property tests).
 * `LEDGERLAKE_TESTS=unit` or `=integration` picks one kind (the `test` and `test:integration`
 * targets set it, see nx.json); unset, a run takes both, so `npx jest -c <project>/jest.config.js
 * <file>` runs any one file. Every project has both targets; most libraries have no integration
 * tests, so an integration run that finds none passes (a unit run that finds none fails).
 */
const TEST_MATCH = {
  unit: ['<rootDir>/src/**/*.test.ts'],
  integration: ['<rootDir>/tests/**/*.test.ts'],
};
const kind = process.env.LEDGERLAKE_TESTS;
if (kind !== undefined && !Object.hasOwn(TEST_MATCH, kind)) {
  throw new Error(`LEDGERLAKE_TESTS must be one of ${Object.keys(TEST_MATCH).join(', ')} (or unset for both), not "${kind}"`);
}

module.exports = {
  testEnvironment: 'node',
  testMatch: kind === undefined ? [...TEST_MATCH.unit, ...TEST_MATCH.integration] : TEST_MATCH[kind],
  passWithNoTests: kind === 'integration',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|hyparquet|hyparquet-writer|hysnappy)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: [require.resolve('./tools/jest/setup-env.js')],
  clearMocks: true,
  // A guard against hangs, not a speed check (speed is \`npm run bench\`'s): the 5 s default fails
  // tests that start DuckDB or run the state machine when the shared 2-core machine is busy.
  testTimeout: 60_000,
  reporters: ['default', require.resolve('./tools/jest/totals-reporter.js')],
};

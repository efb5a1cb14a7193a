/** Shared jest settings: swc transpiles TypeScript and the ESM-only dependencies; type checking is the `typecheck` target's job. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
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

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
  reporters: ['default', require.resolve('./tools/jest/totals-reporter.js')],
};

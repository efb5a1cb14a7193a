import nx from '@nx/eslint-plugin';

const awsSdk = ['@aws-sdk/*', '@smithy/*', 'aws-sdk-client-mock', 'aws-sdk-client-mock-jest'];

// The Lambda functions. Each is deployed alone; only composition roots (the benchmark, and the
// local runner that plays Lambda on a laptop) load them in-process, as Lambda loads a handler.
// A composition root says so in its own eslint.config.mjs by turning `no-restricted-imports` off.
export const functionPackages = [
  '@ledgerlake/enrichment',
  '@ledgerlake/loop-prevention',
  '@ledgerlake/validation',
  '@ledgerlake/partition-writer',
  '@ledgerlake/run-recorder',
  '@ledgerlake/promotion',
  '@ledgerlake/alert-consumer',
];

// The local runner (the `ledgerlake` command) is itself a composition root; the benchmark drives
// the state machine through it. Restricted like the functions: only composition roots load it.
const loadableByCompositionRoots = [...functionPackages, '@ledgerlake/cli'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.serverless', '**/coverage', 'lake/**', 'tmp/**'] },
  {
    files: ['**/*.ts'],
    rules: {
      // Dependency direction: apps -> libs; adapters -> ports -> domain. Domain imports only zod,
      // and only the S3 adapter (and app wiring) may touch the AWS SDK.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: loadableByCompositionRoots,
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], allowedExternalImports: ['zod'] },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:domain'], allowedExternalImports: ['zod'] },
            {
              sourceTag: 'type:storage',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:adapter',
              onlyDependOnLibsWithTags: ['type:storage', 'type:domain', 'type:testing'],
            },
            // The rooms the functions share, each one thing, in dependency order (docs/contributing.md, "Where code lives"):
            // the state-machine contract, streaming Parquet, a run's work area, the published lake, the control ledgers.
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:domain'], allowedExternalImports: ['zod'] },
            {
              sourceTag: 'type:parquet',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:testing'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:work-area',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:contract', 'type:testing'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:lake',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:contract', 'type:parquet', 'type:testing'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:ledgers',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:contract', 'type:lake', 'type:testing'],
              bannedExternalImports: awsSdk,
            },
            {
              // The operator's runbook over any lake: it starts runs through the Operator it is given, never a runner.
              sourceTag: 'type:runbook',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:lake', 'type:ledgers'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:observability',
              onlyDependOnLibsWithTags: ['type:domain', 'type:config'],
              bannedExternalImports: awsSdk,
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:domain', 'type:storage', 'type:observability', 'type:config'],
              // Its s3rver harness makes the S3 clients for that server; nothing else of the SDK.
              bannedExternalImports: awsSdk.filter((name) => name !== '@aws-sdk/*').concat(['@aws-sdk/client-!(s3)', '@aws-sdk/!(client-)*']),
            },
            {
              // The state machine definition and its local runner: it chains functions by name, never imports them.
              sourceTag: 'type:orchestration',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:storage'],
              bannedExternalImports: awsSdk,
            },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
            // The local command line is a composition root: it wires every function and lib in-process.
            { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['*'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:domain',
                'type:config',
                'type:storage',
                'type:adapter',
                'type:observability',
                'type:contract',
                'type:parquet',
                'type:work-area',
                'type:lake',
                'type:ledgers',
                'type:testing',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: loadableByCompositionRoots.map((name) => ({
            name,
            message: 'A function (or the local runner) is its own unit: only composition roots load it in-process.',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/tests/**/*.ts', 'tools/**/*', '**/jest.config.js'],
    rules: { 'no-console': 'off' },
  },
];

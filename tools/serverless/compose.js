#!/usr/bin/env node
'use strict';

// Runs @serverless/compose (serverless-compose.yml at the workspace root) with osls behind it:
// `npm run compose -- deploy --stage dev`. npm and npx put node_modules/.bin first on PATH, where
// `serverless` is osls itself, whose `--version` compose cannot read; this puts the shim in
// tools/serverless/bin first instead.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

// serverless-compose.yml takes every service's region from AWS_REGION (compose has no --region).
if (!process.env.AWS_REGION) {
  process.stderr.write(
    'ledgerlake: set AWS_REGION to the region of the stage to deploy (e.g. AWS_REGION=eu-west-1 npm run compose -- deploy --stage staging); every stack is created there.\n',
  );
  process.exit(2);
}
const shimDir = path.join(__dirname, 'bin');
const composeBin = require.resolve('@serverless/compose/bin/serverless-compose');
const result = spawnSync(process.execPath, [composeBin, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PATH: [shimDir, process.env.PATH].filter(Boolean).join(path.delimiter),
    SLS_TELEMETRY_DISABLED: '1',
  },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);

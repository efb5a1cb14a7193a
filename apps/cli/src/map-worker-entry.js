'use strict';
// A worker thread of the local Map runner: the CLI's TypeScript, transpiled on load as in the bin.
require('@swc-node/register');
require('./map-worker.ts');

'use strict';
// A worker thread of the local Map runner: the CLI's TypeScript, transpiled on load as in the bin.
require('./register-typescript.js');
require('./map-worker.ts');

#!/usr/bin/env node
'use strict';
// Tiny launcher: the CLI runs from its TypeScript sources, transpiled on load by @swc-node/register.
require('@swc-node/register');
require('../src/main.ts').runFromProcess();

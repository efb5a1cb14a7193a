#!/usr/bin/env node
'use strict';
// Tiny launcher: the CLI runs from its TypeScript sources (src/register-typescript.js).
require('../src/register-typescript.js');
require('../src/main.ts').runFromProcess();

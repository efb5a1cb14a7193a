#!/usr/bin/env node
'use strict';
// Tiny launcher: runs the command's bundle (bundle.js), built again first when a source changed.
const { pathToFileURL } = require('node:url');

import(pathToFileURL(require('../bundle.js').currentBundle()).href);

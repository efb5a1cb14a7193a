'use strict';
// The CLI runs from its TypeScript sources, transpiled on load by @swc-node/register. Without a
// project it would transpile for ES2018 (the loader's default when no ./tsconfig.json is in the
// working folder), turning every `#private` field into helper calls: the CLI's own project targets
// ES2022, as the Lambda bundles and the tests do.
process.env.SWC_NODE_PROJECT ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');

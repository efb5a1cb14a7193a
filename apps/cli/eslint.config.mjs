import base from '../../eslint.config.mjs';

// The CLI is a composition root: it runs the functions' handlers in-process, as Lambda would.
export default [...base, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];

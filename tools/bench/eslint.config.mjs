import base from '../../eslint.config.mjs';

// The benchmark is a composition root: it runs the function cores in-process.
export default [...base, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];

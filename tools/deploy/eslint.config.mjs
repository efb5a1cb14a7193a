import base from '../../eslint.config.mjs';

// The deploy checks are a composition root: they run the function cores in-process, recording what
// each one touches, and parse each function's config schema against its packaged environment.
export default [...base, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];

import base from '../../eslint.config.mjs';

// The deploy checks are a composition root: they run the state machine in-process through the local
// runner (the functions' own handlers), recording what each function touches, and parse each
// function's config schema against its packaged environment.
export default [...base, { files: ['**/*.ts'], rules: { 'no-restricted-imports': 'off' } }];

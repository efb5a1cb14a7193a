module.exports = {
  displayName: 'cli',
  preset: '../../jest.preset.js',
  // The integration tests run the whole state machine over a temp lake, and one spawns the real bin.
  testTimeout: 60_000,
};

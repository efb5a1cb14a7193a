module.exports = {
  displayName: 'bench',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/*.test.ts'],
};

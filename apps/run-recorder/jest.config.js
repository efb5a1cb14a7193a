module.exports = {
  displayName: 'run-recorder',
  preset: '../../jest.preset.js',
};

module.exports = {
  displayName: 'state-machine',
  preset: '../../jest.preset.js',
};

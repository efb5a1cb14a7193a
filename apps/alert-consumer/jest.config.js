module.exports = {
  displayName: 'alert-consumer',
  preset: '../../jest.preset.js',
};

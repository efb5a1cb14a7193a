module.exports = {
  displayName: 'loop-prevention',
  preset: '../../jest.preset.js',
};

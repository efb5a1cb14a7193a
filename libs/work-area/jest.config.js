module.exports = {
  displayName: 'work-area',
  preset: '../../jest.preset.js',
};

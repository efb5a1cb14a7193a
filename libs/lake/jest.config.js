module.exports = {
  displayName: 'lake',
  preset: '../../jest.preset.js',
};

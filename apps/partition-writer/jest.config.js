module.exports = {
  displayName: 'partition-writer',
  preset: '../../jest.preset.js',
};

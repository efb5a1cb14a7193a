module.exports = {
  displayName: 'ledgers',
  preset: '../../jest.preset.js',
};

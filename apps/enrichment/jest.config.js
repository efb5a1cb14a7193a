module.exports = {
  displayName: 'enrichment',
  preset: '../../jest.preset.js',
};

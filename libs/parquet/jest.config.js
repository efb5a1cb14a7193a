module.exports = {
  displayName: 'parquet',
  preset: '../../jest.preset.js',
};

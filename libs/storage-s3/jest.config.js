module.exports = {
  displayName: 'storage-s3',
  preset: '../../jest.preset.js',
};

module.exports = {
  displayName: 'promotion',
  preset: '../../jest.preset.js',
};

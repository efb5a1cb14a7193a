module.exports = {
  displayName: 'runbook',
  preset: '../../jest.preset.js',
};

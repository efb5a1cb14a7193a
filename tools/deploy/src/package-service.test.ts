import { offlineEnv } from './package-service';

describe('offlineEnv', () => {
  it('leaves the packager no way to AWS credentials', () => {
    const env = offlineEnv({
      PATH: '/usr/bin',
      AWS_PROFILE: 'prod',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });

    expect(env).toMatchObject({
      PATH: '/usr/bin',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_CONFIG_FILE: '/dev/null',
      SLS_TELEMETRY_DISABLED: '1',
    });
    expect(env).not.toHaveProperty('AWS_PROFILE');
    expect(env).not.toHaveProperty('AWS_ACCESS_KEY_ID');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(env).not.toHaveProperty('AWS_SESSION_TOKEN');
  });
});

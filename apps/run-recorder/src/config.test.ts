import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { ConfigError } from '@ledgerlake/domain';
import { RunRecorderConfigSchema } from './config';
import { lakeBucketsEnv } from '@ledgerlake/testing';

const BUCKETS = lakeBucketsEnv('dev');

describe('RunRecorderConfigSchema', () => {
  it('reads the lake buckets', () => {
    const config = parseConfig(RunRecorderConfigSchema, BUCKETS, 'run-recorder');

    expect(bucketsFromEnv(config)).toMatchObject({ artifacts: 'll-dev-artifacts', bronze: 'll-dev-bronze' });
  });

  it('reports every missing bucket at once', () => {
    const parse = () => parseConfig(RunRecorderConfigSchema, { BRONZE_BUCKET: 'll-dev-bronze' }, 'run-recorder');

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/4 bad keys/);
  });
});

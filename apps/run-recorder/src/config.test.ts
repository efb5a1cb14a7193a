import { bucketsFromEnv, parseConfig } from '@ledgerlake/config';
import { ConfigError } from '@ledgerlake/domain';
import { RunRecorderConfigSchema } from './config';

const BUCKETS = {
  BRONZE_BUCKET: 'll-dev-bronze',
  SILVER_BUCKET: 'll-dev-silver',
  GOLD_BUCKET: 'll-dev-gold',
  QUARANTINE_BUCKET: 'll-dev-quarantine',
  ARTIFACTS_BUCKET: 'll-dev-artifacts',
};

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

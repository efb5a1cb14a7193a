import { parseConfig } from '@ledgerlake/config';
import { ConfigError } from '@ledgerlake/domain';
import { PartitionWriterConfigSchema, settingsFromConfig } from './config';
import { DEFAULT_PARTITION_WRITER_SETTINGS } from './settings';
import { lakeBucketsEnv } from '@ledgerlake/testing';

const BUCKETS = lakeBucketsEnv('dev');

describe('PartitionWriterConfigSchema', () => {
  it('defaults to the default settings', () => {
    const config = parseConfig(PartitionWriterConfigSchema, BUCKETS, 'partition-writer');

    expect(settingsFromConfig(config)).toEqual(DEFAULT_PARTITION_WRITER_SETTINGS);
  });

  it('reads the Parquet sizing from the environment', () => {
    const config = parseConfig(
      PartitionWriterConfigSchema,
      {
        ...BUCKETS,
        PARQUET_ROW_GROUP_ROWS: '1000',
        PARQUET_MAX_BUFFERED_ROWS: '5000',
        PARQUET_MAX_OPEN_FILES: '2',
        PARQUET_MAX_ROWS_PER_FILE: '100000',
      },
      'partition-writer',
    );

    expect(settingsFromConfig(config).parquet).toEqual({
      rowGroupRows: 1000,
      maxBufferedRows: 5000,
      maxOpenFiles: 2,
      maxRowsPerFile: 100000,
    });
  });

  it('refuses a buffer smaller than a row group', () => {
    const parse = () =>
      parseConfig(PartitionWriterConfigSchema, { ...BUCKETS, PARQUET_ROW_GROUP_ROWS: '1000', PARQUET_MAX_BUFFERED_ROWS: '999' }, 'partition-writer');

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('PARQUET_MAX_BUFFERED_ROWS (invalid, expected at least PARQUET_ROW_GROUP_ROWS)');
  });

  it('names missing buckets', () => {
    expect(() => parseConfig(PartitionWriterConfigSchema, {}, 'partition-writer')).toThrow(
      /5 bad keys: BRONZE_BUCKET \(missing/,
    );
  });
});

import { parseConfig } from '@ledgerlake/config';
import { ConfigError, DEFAULT_CURRENCIES, DEFAULT_ROW_RULE_SETTINGS } from '@ledgerlake/domain';
import { PartitionWriterConfigSchema, settingsFromConfig } from './config';
import { DEFAULT_PARTITION_WRITER_SETTINGS } from './write-partitions';
import { lakeBucketsEnv } from '@ledgerlake/testing';

const BUCKETS = lakeBucketsEnv('dev');

describe('PartitionWriterConfigSchema', () => {
  it('defaults to the default settings', () => {
    const config = parseConfig(PartitionWriterConfigSchema, BUCKETS, 'partition-writer');

    expect(settingsFromConfig(config)).toEqual({
      ...DEFAULT_PARTITION_WRITER_SETTINGS,
      rules: { ...DEFAULT_ROW_RULE_SETTINGS, currencies: [...DEFAULT_CURRENCIES] },
    });
  });

  it('reads the row rules from the same keys as validation', () => {
    const config = parseConfig(
      PartitionWriterConfigSchema,
      { ...BUCKETS, CURRENCY_ALLOWLIST: 'EUR', ACCOUNT_ID_PATTERN: 'ACC\\d+', ACCOUNT_ID_MAX_LENGTH: '8', TX_DATE_MIN: '2001-01-01', TX_DATE_MAX_FUTURE_DAYS: '3' },
      'partition-writer',
    );

    expect(settingsFromConfig(config).rules).toEqual({
      currencies: ['EUR'],
      accountIdPattern: 'ACC\\d+',
      accountIdMaxLength: 8,
      txDateMin: '2001-01-01',
      txDateMaxFutureDays: 3,
    });
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

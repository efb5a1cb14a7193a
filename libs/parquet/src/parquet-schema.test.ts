import { parquetSchemaElements } from './parquet-schema';

describe('parquetSchemaElements', () => {
  it('maps each column kind to an explicit Parquet type', () => {
    const elements = parquetSchemaElements([
      { name: 'id', kind: 'int64' },
      { name: 'n', kind: 'int32', nullable: true },
      { name: 's', kind: 'string' },
      { name: 'amount', kind: 'decimal', precision: 16, scale: 2 },
      { name: 'at', kind: 'timestamp-micros-utc' },
    ]);

    expect(elements).toEqual([
      { name: 'root', num_children: 5 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'n', type: 'INT32', repetition_type: 'OPTIONAL' },
      { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'REQUIRED' },
      {
        name: 'amount',
        type: 'INT64',
        converted_type: 'DECIMAL',
        precision: 16,
        scale: 2,
        logical_type: { type: 'DECIMAL', precision: 16, scale: 2 },
        repetition_type: 'REQUIRED',
      },
      {
        name: 'at',
        type: 'INT64',
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        repetition_type: 'REQUIRED',
      },
    ]);
  });

  it('stores a decimal of 19 to 38 digits as 16 bytes (the INT64 holds 18)', () => {
    expect(parquetSchemaElements([{ name: 'balance', kind: 'decimal', precision: 38, scale: 2 }])[1]).toEqual({
      name: 'balance',
      type: 'FIXED_LEN_BYTE_ARRAY',
      type_length: 16,
      converted_type: 'DECIMAL',
      precision: 38,
      scale: 2,
      logical_type: { type: 'DECIMAL', precision: 38, scale: 2 },
      repetition_type: 'REQUIRED',
    });
  });

  it.each([
    [undefined, 2],
    [39, 2],
    [4, 5],
    [16, -1],
  ])('rejects a decimal with precision %p and scale %p', (precision, scale) => {
    expect(() => parquetSchemaElements([{ name: 'amount', kind: 'decimal', precision, scale }])).toThrow(
      /decimal column amount needs precision/,
    );
  });

  it('rejects duplicate column names', () => {
    expect(() =>
      parquetSchemaElements([
        { name: 'a', kind: 'int64' },
        { name: 'a', kind: 'string' },
      ]),
    ).toThrow('parquet: duplicate column "a"');
  });

  it('rejects an empty table', () => {
    expect(() => parquetSchemaElements([])).toThrow('at least one column');
  });
});

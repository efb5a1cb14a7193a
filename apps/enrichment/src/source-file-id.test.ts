import { sourceFileId } from './source-file-id';

describe('sourceFileId', () => {
  const object = { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/a.csv' };

  it('prefers the version id', () => {
    expect(sourceFileId({ ...object, version_id: 'v1+/=', etag: '"abc"' })).toBe(
      's3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv?versionId=v1%2B%2F%3D',
    );
  });

  it('falls back to the ETag, without quotes', () => {
    expect(sourceFileId({ ...object, etag: '"abc-2"' })).toBe('s3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv#abc-2');
  });

  it('is the bare object name without either', () => {
    expect(sourceFileId(object)).toBe('s3://bronze/mortgages/transactions/ingest_date=2024-01-05/a.csv');
  });

  it('percent-encodes ?, # and % in the key so the suffix stays unambiguous', () => {
    expect(sourceFileId({ bucket: 'b', key: 'a?b#c%d.csv', etag: 'e' })).toBe('s3://b/a%3Fb%23c%25d.csv#e');
  });
});

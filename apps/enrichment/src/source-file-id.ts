import type { SourceObject } from '@ledgerlake/domain';

/** Characters that would make the id ambiguous if a key contained them. */
const RESERVED = /[%?#]/g;

/** The `s3://bucket/key` name of an object, as used in messages. */
export function describeObject(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The stable id of a Bronze object version, kept on every row as `source_file_id`:
 * `s3://<bucket>/<key>?versionId=<version>` when the bucket is versioned (Bronze is, in the
 * cloud), else `s3://<bucket>/<key>#<etag>` (ETag without quotes), else `s3://<bucket>/<key>`.
 * `%`, `?` and `#` in the key are percent-encoded so the suffix can never be confused with the key.
 */
export function sourceFileId(source: Pick<SourceObject, 'bucket' | 'key' | 'version_id' | 'etag'>): string {
  const key = source.key.replace(RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const base = `s3://${source.bucket}/${key}`;
  if (source.version_id !== undefined) return `${base}?versionId=${encodeURIComponent(source.version_id)}`;
  if (source.etag !== undefined) return `${base}#${source.etag.replace(/"/g, '')}`;
  return base;
}

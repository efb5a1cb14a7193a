/**
 * Formats the `x-amz-copy-source` value of a CopyObject call: `bucket/key`, URL-encoded.
 *
 * S3 percent-decodes the header, and the SDK sends it verbatim, so a key with `%`, `+`, `?`,
 * `#`, spaces or non-ASCII characters must be encoded here or S3 copies the wrong object (or
 * none). Each path segment is encoded like botocore's `quote(key, safe='/~')`: `/` stays a
 * separator, everything outside the RFC 3986 unreserved set is percent-encoded as UTF-8.
 */
export function formatCopySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeSegment).join('/')}`;
}

function encodeSegment(segment: string): string {
  // encodeURIComponent leaves !'()* alone; S3 accepts them raw, but encoding them too keeps the
  // header unambiguous for every proxy in between.
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';

/** An S3 error as the SDK deserializes it: `name` is the S3 error code, the status is in `$metadata`. */
export function s3Error(name: string, status: number, extra: Partial<S3ServiceException> = {}): S3ServiceException {
  return Object.assign(
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status, requestId: 'REQ123' },
      message: `${name} message`,
    }),
    extra,
  );
}

/** GetObject / If-Match on a missing key: the modeled `NoSuchKey` exception. */
export function noSuchKey(): NoSuchKey {
  return new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });
}

/** HeadObject on a missing key: no body, so the SDK names it `NotFound`. */
export function notFound(): NotFound {
  return new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'UnknownError' });
}

/** Any call to a bucket that does not exist. */
export function noSuchBucket(): NoSuchBucket {
  return new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The specified bucket does not exist' });
}

/** A socket-level failure of the Node HTTP handler (no HTTP response at all). */
export function networkError(code: string): Error {
  return Object.assign(new Error(`socket failure ${code}`), { code });
}

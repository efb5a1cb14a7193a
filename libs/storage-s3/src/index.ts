export { formatCopySource } from './copy-source';
export {
  MIN_PART_SIZE_BYTES,
  S3ObjectStore,
  type S3ObjectStoreOptions,
} from './s3-object-store';
export {
  classifyS3Error,
  isS3NotFound,
  translateS3Error,
  type S3ErrorContext,
  type S3ErrorKind,
  type S3Operation,
} from './translate-error';
export { StepFunctionsLiveness } from './execution-liveness';

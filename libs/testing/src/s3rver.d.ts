// s3rver 3.7.1 ships no types; this declares the part of its API the integration tests use.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** s3rver's FilesystemStore (internal API, used to read a bucket without its HTTP listing). */
  interface S3rverStore {
    listObjects(
      bucket: string,
      options: { prefix?: string; maxKeys?: number },
    ): Promise<{ objects: { key: string; size: number; lastModifiedDate: Date; metadata: Record<string, string> }[] }>;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    store: S3rverStore;
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}

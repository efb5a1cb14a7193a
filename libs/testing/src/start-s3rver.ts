// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver ships no types: this ambient declaration must travel with the harness to every project that type-checks it
/// <reference path="./s3rver.d.ts" />
import { createCipheriv } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { emulateS3Semantics, type ListedObject } from './emulate-s3-semantics';

/** A running in-process s3rver and the clients made for it. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /**
   * A new S3 client for this server, configured as S3 clients for s3rver must be. Unless
   * `emulateS3` is false, it also carries {@link emulateS3Semantics} (conditional writes, copy
   * source decoding, ListObjectsV2 paging), so that it behaves like S3 where s3rver does not.
   */
  createClient(options?: { emulateS3?: boolean }): S3Client;
  /** Creates a bucket through the S3 API. */
  createBucket(name: string): Promise<void>;
  /** Destroys every client made here, closes the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES-CBC (8-byte blocks, to look like
 * S3's). OpenSSL 3 moved DES to the legacy provider, which Node loads only when started with
 * `--openssl-legacy-provider`; without it every *truncated* listing fails with a 500
 * (ERR_OSSL_EVP_UNSUPPORTED inside s3rver). Say so up front instead of letting a list test fail
 * with an opaque InternalError.
 */
export function assertLegacyOpenSslProvider(): void {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (error) {
    throw new Error(
      's3rver needs the DES cipher for list continuation tokens, so Node must run ' +
        'with NODE_OPTIONS=--openssl-legacy-provider. The test:integration target sets it (nx.json, targetDefaults); ' +
        'when running jest directly, set it yourself.',
      { cause: error },
    );
  }
}

/** Starts s3rver in this process on 127.0.0.1, a random free port and a fresh temp directory. */
export async function startS3rver(): Promise<S3rverHandle> {
  assertLegacyOpenSslProvider();
  const directory = await mkdtemp(join(tmpdir(), 'storage-s3-s3rver-'));
  // Loaded here, not at the top: the rest of @ledgerlake/testing has no use for s3rver's server stack.
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];

  // Read straight from s3rver's store: its HTTP listing cannot page losslessly past 1000 keys.
  const listAll = async (bucket: string, prefix: string): Promise<ListedObject[]> => {
    const { objects } = await server.store.listObjects(bucket, { prefix, maxKeys: Infinity });
    return objects.map((o) => ({
      key: o.key,
      size: o.size,
      etag: o.metadata['etag'] ?? '',
      lastModified: o.lastModifiedDate,
    }));
  };

  const createClient = ({ emulateS3 = true }: { emulateS3?: boolean } = {}): S3Client => {
    const client = new S3Client({
      endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // The default flexible checksums (CRC32 trailers, aws-chunked bodies) are not understood
      // by s3rver and corrupt streamed uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    if (emulateS3) emulateS3Semantics(client, { listAll });
    clients.push(client);
    return client;
  };

  const admin = createClient({ emulateS3: false });

  return {
    endpoint,
    createClient,
    async createBucket(name) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      for (const client of clients) client.destroy();
      // Keep-alive sockets would hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

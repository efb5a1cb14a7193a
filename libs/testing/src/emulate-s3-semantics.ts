import {
  HeadObjectCommand,
  NoSuchKey,
  S3ServiceException,
  type CopyObjectCommandInput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * s3rver 3.7.1 speaks the S3 HTTP API but differs from S3 in ways the ObjectStore contract depends
 * on. These client-side middlewares put S3's server-side behaviour back, so the contract suite
 * tests the adapter, not s3rver's gaps. Only requests sent through the client they are installed
 * on are covered. Each deviation is pinned by a test in `s3rver-emulation.test.ts` that fails once
 * s3rver behaves like S3, so the emulation can go.
 *
 * 1. Conditional writes: s3rver ignores `If-None-Match: *` and `If-Match` on PutObject. The
 *    emulation does what S3 does on the server: checks the current object (HeadObject) and fails
 *    the PUT with the error S3 sends — 412 `PreconditionFailed`, or 404 `NoSuchKey` for `If-Match`
 *    on a missing key — before anything is written. The check and the write are not atomic on
 *    s3rver, so every write to a key (PutObject, CopyObject, DeleteObject,
 *    CompleteMultipartUpload) through this client is serialized per key: concurrent conditional
 *    writes then race exactly as on S3 (one wins, the rest get 412). A writer that bypasses this
 *    client (another client, another process) could still slip in between check and write.
 * 2. Copy source decoding: S3 percent-decodes `x-amz-copy-source` fully; s3rver uses `decodeURI`,
 *    which leaves `%3D`, `%2B`, `%3F`, `%23`, `%26`… encoded and so looks for the wrong key. The
 *    middleware re-encodes the (correctly encoded) header so that `decodeURI` yields the real key.
 * 3. ListObjectsV2 (only when `listAll` is given): s3rver lists in the order of its on-disk paths
 *    (not UTF-8 byte order), drops keys when resuming from a token (its resume filter compares
 *    JavaScript strings, its walk follows paths), does not group keys nested more than one level
 *    under a common prefix, and does not count common prefixes towards MaxKeys. The request still
 *    goes to s3rver (with MaxKeys 0: signature, bucket existence and errors are s3rver's), but the
 *    page is built as S3 builds it from `listAll` — every key under the prefix, read from s3rver's
 *    own store: UTF-8 byte order, `Delimiter` grouping, objects and common prefixes both counted
 *    towards `MaxKeys` (at most 1000), an opaque `NextContinuationToken`.
 */
export function emulateS3Semantics(client: S3Client, options: EmulationOptions = {}): void {
  const locks = new KeyedMutex();

  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectsV2Command' && options.listAll !== undefined) {
        return listLikeS3(next as ListNext, args as ListArgs, options.listAll) as unknown as ReturnType<typeof next>;
      }
      const input: Record<string, unknown> = { ...args.input };
      const target = writeTarget(context.commandName, input);
      if (target === undefined) return next(args);

      return locks.run(`${target.bucket}/${target.key}`, async () => {
        if (context.commandName === 'PutObjectCommand') {
          await checkPreconditions(client, args.input as PutObjectCommandInput);
        }
        if (context.commandName === 'CopyObjectCommand') {
          const copy = args.input as CopyObjectCommandInput;
          const copySource = encodeURI(decodeURIComponent(copy.CopySource ?? ''));
          return next({ ...args, input: { ...copy, CopySource: copySource } });
        }
        return next(args);
      });
    },
    { step: 'initialize', name: 'ledgerlakeEmulateS3Semantics', priority: 'high' },
  );
}

/** An object as a listing reports it. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

/** What the emulation needs besides the client. */
export interface EmulationOptions {
  /** Every object of `bucket` whose key starts with `prefix`, in any order; enables the ListObjectsV2 emulation. */
  readonly listAll?: (bucket: string, prefix: string) => Promise<readonly ListedObject[]>;
}

const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectCommand',
  'CompleteMultipartUploadCommand',
]);

function writeTarget(
  commandName: string | undefined,
  input: Record<string, unknown>,
): { bucket: string; key: string } | undefined {
  if (commandName === undefined || !WRITE_COMMANDS.has(commandName)) return undefined;
  const bucket = input['Bucket'];
  const key = input['Key'];
  return typeof bucket === 'string' && typeof key === 'string' ? { bucket, key } : undefined;
}

async function checkPreconditions(client: S3Client, input: PutObjectCommandInput): Promise<void> {
  const { IfNoneMatch: ifNoneMatch, IfMatch: ifMatch } = input;
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  const currentEtag = await headEtag(client, input.Bucket as string, input.Key as string);

  if (ifNoneMatch === '*' && currentEtag !== undefined) throw preconditionFailed('If-None-Match');
  if (ifMatch !== undefined) {
    if (currentEtag === undefined) {
      throw new NoSuchKey({
        $metadata: { httpStatusCode: 404, requestId: 'EMULATED' },
        message: 'The specified key does not exist.',
      });
    }
    if (ifMatch !== '*' && unquote(ifMatch) !== unquote(currentEtag)) throw preconditionFailed('If-Match');
  }
}

async function headEtag(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ETag;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** The error the SDK builds from S3's `412 PreconditionFailed` response. */
function preconditionFailed(condition: 'If-None-Match' | 'If-Match'): S3ServiceException {
  return Object.assign(
    new S3ServiceException({
      name: 'PreconditionFailed',
      $fault: 'client',
      $metadata: { httpStatusCode: 412, requestId: 'EMULATED' },
      message: 'At least one of the pre-conditions you specified did not hold',
    }),
    { Code: 'PreconditionFailed', Condition: condition },
  );
}

type ListArgs = { input: ListObjectsV2CommandInput } & Record<string, unknown>;
type ListNext = (args: ListArgs) => Promise<{ output: ListObjectsV2CommandOutput; response: unknown }>;

const TOKEN_PREFIX = 'emulated:';

async function listLikeS3(
  next: ListNext,
  args: ListArgs,
  listAll: NonNullable<EmulationOptions['listAll']>,
): Promise<{ output: ListObjectsV2CommandOutput; response: unknown }> {
  const { Bucket = '', Prefix = '', Delimiter, MaxKeys, ContinuationToken, StartAfter } = args.input;
  const after = ContinuationToken === undefined ? StartAfter : decodeToken(ContinuationToken);
  const limit = Math.min(MaxKeys ?? 1000, 1000);
  const delimiter = Delimiter === '' ? undefined : Delimiter;

  // A real round trip (auth, NoSuchBucket, ...) that makes s3rver neither walk nor paginate.
  const probe = await next({ ...args, input: { Bucket, Prefix, MaxKeys: 0 } });
  const sorted = [...(await listAll(Bucket, Prefix))].sort((a, b) => byteOrder(a.key, b.key));

  type Item = { kind: 'object'; object: ListedObject } | { kind: 'prefix'; prefix: string };
  const items: Item[] = [];
  for (const object of sorted) {
    const at = delimiter === undefined ? -1 : object.key.indexOf(delimiter, Prefix.length);
    const group = at < 0 ? undefined : object.key.slice(0, at + (delimiter as string).length);
    // Resuming after a common prefix skips every key under it (the prefix sorts before its keys).
    if (after !== undefined && byteOrder(group ?? object.key, after) <= 0) continue;
    const previous = items[items.length - 1];
    if (group === undefined) items.push({ kind: 'object', object });
    else if (previous?.kind !== 'prefix' || previous.prefix !== group) items.push({ kind: 'prefix', prefix: group });
  }

  const page = items.slice(0, limit);
  const truncated = items.length > page.length;
  const last = page[page.length - 1];
  const objects = page.flatMap((item) => (item.kind === 'object' ? [item.object] : []));
  const prefixes = page.flatMap((item) => (item.kind === 'prefix' ? [{ Prefix: item.prefix }] : []));
  const output: ListObjectsV2CommandOutput = {
    $metadata: probe.output.$metadata,
    Name: Bucket,
    Prefix,
    MaxKeys: limit,
    KeyCount: page.length,
    IsTruncated: truncated,
    ...(delimiter !== undefined && { Delimiter: delimiter }),
    ...(ContinuationToken !== undefined && { ContinuationToken }),
    ...(objects.length > 0 && {
      Contents: objects.map((o) => ({ Key: o.key, Size: o.size, ETag: o.etag, LastModified: o.lastModified })),
    }),
    ...(prefixes.length > 0 && { CommonPrefixes: prefixes }),
    ...(truncated &&
      last !== undefined && {
        NextContinuationToken: encodeToken(last.kind === 'prefix' ? last.prefix : last.object.key),
      }),
  };
  return { ...probe, output };
}

function encodeToken(after: string): string {
  return TOKEN_PREFIX + Buffer.from(after, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!token.startsWith(TOKEN_PREFIX)) {
    throw Object.assign(
      new S3ServiceException({
        name: 'InvalidArgument',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'EMULATED' },
        message: 'The continuation token provided is incorrect',
      }),
      { Code: 'InvalidArgument', ArgumentName: 'continuation-token' },
    );
  }
  return Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Runs tasks one at a time per key, in arrival order. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

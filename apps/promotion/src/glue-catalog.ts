import {
  AlreadyExistsException,
  CreatePartitionCommand,
  EntityNotFoundException,
  GetPartitionCommand,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { StorageError, TransientStorageError } from '@ledgerlake/domain';
import {
  type CatalogPartition,
  CatalogPartitionSchema,
  type PartitionCatalog,
  partitionValues,
} from '@ledgerlake/lake';
import type { PublishedTableName, YearMonth } from '@ledgerlake/storage';

/** Glue databases of the published tables; the table names are those of the SQL names. */
export interface GlueDatabases {
  readonly silver: string;
  readonly gold: string;
}

/** Partition parameter holding the registered version (the catalog only moves forward). */
export const VERSION_PARAMETER = 'ledgerlake_version';
const RUN_PARAMETER = 'ledgerlake_run_id';
const TRANSIENT = new Set([
  'ThrottlingException',
  'InternalServiceException',
  'OperationTimeoutException',
  'ConcurrentModificationException',
  'ResourceNumberLimitExceededException',
]);
const MAX_ATTEMPTS = 5;

/**
 * The Glue Data Catalog as the catalog of published partitions (docs/contract/publishing.md, "Promotion"): each partition's
 * location is the symlink manifest folder of its committed version, in the table's own storage
 * format (SymlinkTextInputFormat over Parquet), so Athena reads exactly the published objects.
 * The registered version is kept in the partition's parameters; a lower one never replaces it.
 */
export class GlueCatalog implements PartitionCatalog {
  private readonly descriptors = new Map<string, StorageDescriptor>();

  constructor(
    private readonly glue: GlueClient,
    private readonly databases: GlueDatabases,
  ) {}

  async registerPartition(entry: CatalogPartition): Promise<void> {
    const valid = CatalogPartitionSchema.parse(entry);
    const { DatabaseName, TableName } = this.tableOf(valid.table);
    const location = `s3://${valid.location.bucket}/${valid.location.prefix}`;
    const PartitionInput = {
      Values: valid.values,
      StorageDescriptor: { ...(await this.descriptor(valid.table)), Location: location },
      Parameters: { [VERSION_PARAMETER]: String(valid.version), [RUN_PARAMETER]: valid.run_id },
    };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const registered = await this.read(valid.table, valid.values);
      if (registered !== undefined && registered >= valid.version) return;
      try {
        if (registered === undefined) {
          await this.glue.send(new CreatePartitionCommand({ DatabaseName, TableName, PartitionInput }));
        } else {
          await this.glue.send(
            new UpdatePartitionCommand({ DatabaseName, TableName, PartitionValueList: valid.values, PartitionInput }),
          );
        }
        return;
      } catch (error) {
        if (error instanceof AlreadyExistsException || error instanceof EntityNotFoundException) continue;
        throw translate(error, `registering ${DatabaseName}.${TableName} ${valid.values.join('/')}`);
      }
    }
    throw new TransientStorageError(`glue: ${DatabaseName}.${TableName} ${valid.values.join('/')} kept changing`);
  }

  registeredVersion(table: PublishedTableName, month: YearMonth): Promise<number | undefined> {
    return this.read(table, partitionValues(table, month));
  }

  private async read(table: PublishedTableName, values: string[]): Promise<number | undefined> {
    const { DatabaseName, TableName } = this.tableOf(table);
    try {
      const found = await this.glue.send(new GetPartitionCommand({ DatabaseName, TableName, PartitionValues: values }));
      const version = Number(found.Partition?.Parameters?.[VERSION_PARAMETER]);
      return Number.isInteger(version) && version > 0 ? version : 0;
    } catch (error) {
      if (error instanceof EntityNotFoundException) return undefined;
      throw translate(error, `reading ${DatabaseName}.${TableName} ${values.join('/')}`);
    }
  }

  /** The table's storage descriptor (columns, formats, SerDe), read once per table. */
  private async descriptor(table: PublishedTableName): Promise<StorageDescriptor> {
    const cached = this.descriptors.get(table);
    if (cached !== undefined) return cached;
    const { DatabaseName, TableName } = this.tableOf(table);
    let descriptor: StorageDescriptor | undefined;
    try {
      descriptor = (await this.glue.send(new GetTableCommand({ DatabaseName, Name: TableName }))).Table?.StorageDescriptor;
    } catch (error) {
      throw translate(error, `reading table ${DatabaseName}.${TableName}`);
    }
    if (descriptor === undefined) throw new StorageError(`glue: table ${DatabaseName}.${TableName} has no storage descriptor`);
    this.descriptors.set(table, descriptor);
    return descriptor;
  }

  private tableOf(table: PublishedTableName): { DatabaseName: string; TableName: string } {
    const [schema, name] = table.split('.') as ['silver' | 'gold', string];
    return { DatabaseName: this.databases[schema], TableName: name };
  }
}

function translate(error: unknown, doing: string): Error {
  const name = (error as { name?: unknown } | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
  const message = `glue: ${doing} failed: ${error instanceof Error ? error.message : String(error)}`;
  if ((typeof name === 'string' && TRANSIENT.has(name)) || status >= 500) return new TransientStorageError(message, { cause: error });
  return new StorageError(message, { cause: error });
}

import {
  AlreadyExistsException,
  CreatePartitionCommand,
  EntityNotFoundException,
  GetPartitionCommand,
  type GetPartitionCommandOutput,
  GetTableCommand,
  GlueClient,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { StorageError, TransientStorageError } from '@ledgerlake/domain';
import type { CatalogPartition } from '@ledgerlake/lake';
import { mockClient } from 'aws-sdk-client-mock';
import { GlueCatalog, VERSION_PARAMETER } from './glue-catalog';

const glue = mockClient(GlueClient);
const DATABASES = { silver: 'ledgerlake_dev_silver', gold: 'ledgerlake_dev_gold' };
const DESCRIPTOR = { Columns: [{ Name: 'id', Type: 'bigint' }], InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat' };

function entry(version: number): CatalogPartition {
  return {
    table: 'silver.transactions',
    partition: '2024-02',
    values: ['2024', '02', 'v1'],
    location: { bucket: 'ledgerlake-dev-silver', prefix: `mortgages/transactions/year=2024/month=02/schema_v=v1/_versions/v${version}/` },
    version,
    run_id: '20240301T090000Z-abc123',
    registered_at: '2024-03-01T09:00:05.000Z',
  };
}

const notFound = () => new EntityNotFoundException({ message: 'not found', $metadata: {} });
const registered = (version: string | undefined): GetPartitionCommandOutput => ({
  Partition: { Values: ['2024', '02', 'v1'], Parameters: version === undefined ? {} : { [VERSION_PARAMETER]: version } },
  $metadata: {},
});

beforeEach(() => {
  glue.reset();
  glue.on(GetTableCommand).resolves({ Table: { Name: 'transactions', StorageDescriptor: DESCRIPTOR } });
});

describe('GlueCatalog', () => {
  it("creates a partition that is not there: the table's descriptor with the version's manifest folder, the version and run as parameters", async () => {
    glue.on(GetPartitionCommand).rejects(notFound());
    glue.on(CreatePartitionCommand).resolves({});

    await new GlueCatalog(new GlueClient({}), DATABASES).registerPartition(entry(1));

    const created = glue.commandCalls(CreatePartitionCommand)[0]?.args[0].input;
    expect(created).toEqual({
      DatabaseName: 'ledgerlake_dev_silver',
      TableName: 'transactions',
      PartitionInput: {
        Values: ['2024', '02', 'v1'],
        StorageDescriptor: { ...DESCRIPTOR, Location: 's3://ledgerlake-dev-silver/mortgages/transactions/year=2024/month=02/schema_v=v1/_versions/v1/' },
        Parameters: { [VERSION_PARAMETER]: '1', ledgerlake_run_id: '20240301T090000Z-abc123' },
      },
    });
    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(0);
  });

  it('moves a registered partition forward only: a newer version updates it, an older or equal one changes nothing', async () => {
    glue.on(GetPartitionCommand).resolves(registered('2'));
    glue.on(UpdatePartitionCommand).resolves({});
    const catalog = new GlueCatalog(new GlueClient({}), DATABASES);

    await catalog.registerPartition(entry(3));
    await catalog.registerPartition(entry(2));
    await catalog.registerPartition(entry(1));

    expect(glue.commandCalls(UpdatePartitionCommand).map((call) => call.args[0].input.PartitionInput?.Parameters?.[VERSION_PARAMETER])).toEqual(['3']);
    expect(glue.commandCalls(CreatePartitionCommand)).toHaveLength(0);
    // The table's descriptor is read once per table, not once per partition.
    expect(glue.commandCalls(GetTableCommand)).toHaveLength(1);
  });

  it('loses a race to create the partition gracefully: reads it again and updates it', async () => {
    glue.on(GetPartitionCommand).rejectsOnce(notFound()).resolves(registered('1'));
    glue.on(CreatePartitionCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    glue.on(UpdatePartitionCommand).resolves({});

    await new GlueCatalog(new GlueClient({}), DATABASES).registerPartition(entry(2));

    expect(glue.commandCalls(UpdatePartitionCommand)).toHaveLength(1);
  });

  it('says which version is registered: none, 0 for a partition without the parameter, else the number', async () => {
    const catalog = new GlueCatalog(new GlueClient({}), DATABASES);
    glue.on(GetPartitionCommand).rejectsOnce(notFound()).resolvesOnce(registered(undefined)).resolvesOnce(registered('7'));

    expect(await catalog.registeredVersion('gold.account_balances', { year: 2024, month: 2 })).toBeUndefined();
    expect(await catalog.registeredVersion('gold.account_balances', { year: 2024, month: 2 })).toBe(0);
    expect(await catalog.registeredVersion('silver.transactions', { year: 2024, month: 2 })).toBe(7);
    expect(glue.commandCalls(GetPartitionCommand)[0]?.args[0].input).toEqual({ DatabaseName: 'ledgerlake_dev_gold', TableName: 'account_balances', PartitionValues: ['2024-02'] });
  });

  it('reports Glue throttling and server errors as transient (retried), anything else as a storage error naming the partition', async () => {
    const catalog = new GlueCatalog(new GlueClient({}), DATABASES);
    glue.on(GetPartitionCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(catalog.registerPartition(entry(1))).rejects.toBeInstanceOf(TransientStorageError);

    glue.reset();
    glue.on(GetTableCommand).resolves({ Table: { Name: 'transactions', StorageDescriptor: DESCRIPTOR } });
    glue.on(GetPartitionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    const denied = await catalog.registerPartition(entry(1)).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(StorageError);
    expect(denied).not.toBeInstanceOf(TransientStorageError);
    expect((denied as Error).message).toBe('glue: reading ledgerlake_dev_silver.transactions 2024/02/v1 failed: denied');
  });
});

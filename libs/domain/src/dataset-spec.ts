/**
 * What a dataset is (docs/contract/rules.md, "Datasets"; docs/contract/layout.md, "Key layout"): one value naming
 * its input columns by the role each plays in the row rules, the row hash, the business key, the
 * partitioning and Gold, where its keys live, and its schema version. The pipeline's code knows
 * roles, never a column name: a second dataset is a second `DatasetSpec` in `DATASETS`, not code.
 */
import { z } from 'zod';
import { UnknownDatasetError } from './errors';

/**
 * The roles of a dataset's five input columns, in the order of the row hash input (row-hash.ts)
 * and of the work area's field columns (docs/work-area.md). That order never changes: a row's
 * `row_hash` is forever.
 * - `id`: a signed 64-bit integer; with the UTC day of `timestamp`, the business key.
 * - `account`: the account the amount moves (account-id.ts); Gold's balances are per account.
 * - `amount`: DECIMAL(16,2) (money.ts).
 * - `currency`: an ISO-4217 code of the allowlist (currency.ts).
 * - `timestamp`: the instant of the row (timestamp.ts): its UTC year/month is the Silver partition.
 */
export const COLUMN_ROLES = ['id', 'account', 'amount', 'currency', 'timestamp'] as const;

/** The role of an input column. */
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** A row's five input values by role: trimmed text, `null` where the CSV record had no such field. */
export type RowFields = { readonly [role in ColumnRole]: string | null };

/** A row's five input values by role, every one present. */
export type CompleteRowFields = { readonly [role in ColumnRole]: string };

/** One input column of a dataset. */
export interface DatasetColumn {
  /** Its CSV header name, exact (case-sensitive; docs/contract/rules.md, "Input files"). */
  readonly input: string;
  /** Its raw-text column in Quarantine and Condemned (docs/contract/layout.md, "Quarantine and Condemned columns"). */
  readonly raw: string;
}

/** A dataset: see the module comment. */
export interface DatasetSpec {
  /**
   * The dataset's path under every layer, `<domain>/<name>` (`mortgages/transactions`): Bronze
   * `<path>/ingest_date=…`, Silver `<path>/year=…`, Quarantine `<path>/…`, Condemned `condemned/<path>/…`.
   * It is also what a run names its dataset with (`RunContext.dataset`).
   */
  readonly path: string;
  /** The Silver schema version, the `schema_v=` partition value and the Parquet files' `ledgerlake.schema_version`. */
  readonly schemaVersion: string;
  /** The input column of each role. */
  readonly columns: { readonly [role in ColumnRole]: DatasetColumn };
  /** The roles whose values make a row's business key: the id and the UTC day of the timestamp (business-key.ts). */
  readonly businessKey: readonly ['id', 'timestamp'];
  /** Silver's partitioning: by the UTC year and month of the `timestamp` role (`year=YYYY/month=MM`). */
  readonly partitioning: { readonly by: 'timestamp'; readonly grain: 'year/month' };
  /**
   * Silver: its SQL name (docs/contract/tables.md, "Table names") and its columns, the same for every
   * dataset (`id`, `account_id`, `amount`, `currency`, `tx_date` and the lineage; SILVER_COLUMNS).
   */
  readonly silver: { readonly table: string };
  /**
   * Whether promotion rebuilds Gold (`gold.account_balances`, `gold.monthly_reports`, docs/gold.md)
   * from this dataset's published Silver. Gold is one set of finance tables: at most one dataset
   * of the registry feeds it.
   */
  readonly gold: boolean;
}

const PATH_PATTERN = /^[a-z][a-z0-9_]*\/[a-z][a-z0-9_]*$/;
const RAW_COLUMN_PATTERN = /^[a-z][a-z0-9_]*$/;
const SILVER_TABLE_PATTERN = /^silver\.[a-z][a-z0-9_]*$/;
/** Quarantine's own columns: a raw column may not take one of their names. */
const REJECTED_OWN_COLUMNS = [
  'validation_error',
  'error_detail',
  'row_hash',
  'source_file_id',
  'source_line',
  'attempt_count',
  'ingestion_timestamp',
  'run_id',
  'execution_arn',
];

const DatasetSpecSchema = z.object({
  path: z.string().regex(PATH_PATTERN, 'expected <domain>/<name>, lowercase letters, digits and _'),
  schemaVersion: z.string().regex(/^v\d+$/, 'expected v<n>'),
  columns: z.object(
    Object.fromEntries(
      COLUMN_ROLES.map((role) => [
        role,
        z.object({
          input: z.string().min(1).refine((name) => name.trim() === name, 'a header name has no surrounding whitespace'),
          raw: z
            .string()
            .regex(RAW_COLUMN_PATTERN, 'expected lowercase letters, digits and _')
            .refine((name) => !REJECTED_OWN_COLUMNS.includes(name), 'a name Quarantine already has'),
        }),
      ]),
    ) as { [role in ColumnRole]: z.ZodObject<{ input: z.ZodString; raw: z.ZodString }> },
  ),
  businessKey: z.tuple([z.literal('id'), z.literal('timestamp')]),
  partitioning: z.object({ by: z.literal('timestamp'), grain: z.literal('year/month') }),
  silver: z.object({ table: z.string().regex(SILVER_TABLE_PATTERN, 'expected silver.<name>') }),
  gold: z.boolean(),
});

/**
 * Checks a dataset spec and freezes it: a path and names of the right shape, and no two roles on
 * one input column or one raw column. Throws a RangeError naming what is wrong.
 */
export function defineDataset(spec: DatasetSpec): DatasetSpec {
  const parsed = DatasetSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new RangeError(`dataset ${JSON.stringify(spec?.path)}: ${problems}`);
  }
  for (const side of ['input', 'raw'] as const) {
    const names = COLUMN_ROLES.map((role) => spec.columns[role][side]);
    if (new Set(names).size !== names.length) throw new RangeError(`dataset ${spec.path}: two roles share one ${side} column (${names.join(', ')})`);
  }
  if (Object.isFrozen(spec) && Object.isFrozen(spec.columns)) return spec;
  return Object.freeze({
    ...spec,
    columns: Object.freeze(Object.fromEntries(COLUMN_ROLES.map((role) => [role, Object.freeze({ ...spec.columns[role] })]))) as DatasetSpec['columns'],
    businessKey: Object.freeze([...spec.businessKey]) as unknown as DatasetSpec['businessKey'],
    partitioning: Object.freeze({ ...spec.partitioning }),
    silver: Object.freeze({ ...spec.silver }),
  });
}

/** The mortgage transactions dataset (docs/contract/rules.md, "Input files"): the one the product ships. */
export const TRANSACTIONS_DATASET: DatasetSpec = defineDataset({
  path: 'mortgages/transactions',
  schemaVersion: 'v1',
  columns: {
    id: { input: 'TransactionID', raw: 'transaction_id' },
    account: { input: 'CustomerID', raw: 'customer_id' },
    amount: { input: 'TransactionAmount', raw: 'transaction_amount' },
    currency: { input: 'Currency', raw: 'currency' },
    timestamp: { input: 'TransactionTimestamp', raw: 'transaction_timestamp' },
  },
  businessKey: ['id', 'timestamp'],
  partitioning: { by: 'timestamp', grain: 'year/month' },
  silver: { table: 'silver.transactions' },
  gold: true,
});

/** The datasets a deployment knows, by path: what `datasetSpec` resolves a run's `dataset` in. */
export type DatasetRegistry = ReadonlyMap<string, DatasetSpec>;

/**
 * A registry of the given specs. Throws a RangeError when two share a path, a Silver table or a
 * raw-column set that would collide, or more than one feeds Gold.
 */
export function datasetRegistry(specs: readonly DatasetSpec[]): DatasetRegistry {
  const registry = new Map<string, DatasetSpec>();
  const tables = new Set<string>();
  for (const spec of specs) {
    const checked = defineDataset(spec);
    if (registry.has(checked.path)) throw new RangeError(`datasets: ${checked.path} is registered twice`);
    if (tables.has(checked.silver.table)) throw new RangeError(`datasets: two datasets publish ${checked.silver.table}`);
    registry.set(checked.path, checked);
    tables.add(checked.silver.table);
  }
  if ([...registry.values()].filter((spec) => spec.gold).length > 1) throw new RangeError('datasets: at most one dataset feeds Gold');
  return registry;
}

/** The datasets the product ships: one. */
export const DATASETS: DatasetRegistry = datasetRegistry([TRANSACTIONS_DATASET]);

/** The spec of a run's `dataset` in `registry` (default `DATASETS`); an unknown one is an `UnknownDatasetError`. */
export function datasetSpec(dataset: string, registry: DatasetRegistry = DATASETS): DatasetSpec {
  const spec = registry.get(dataset);
  if (spec === undefined) throw new UnknownDatasetError(dataset, [...registry.keys()]);
  return spec;
}

/** The input header names of a dataset, in role order. */
export function inputColumns(spec: DatasetSpec): readonly string[] {
  return COLUMN_ROLES.map((role) => spec.columns[role].input);
}

/** The raw-text columns of a dataset's Quarantine and Condemned rows, in role order. */
export function rawColumns(spec: DatasetSpec): readonly string[] {
  return COLUMN_ROLES.map((role) => spec.columns[role].raw);
}

/**
 * Returns the input columns a header lacks, in role order (empty when complete). Names match
 * exactly (case-sensitive); the caller strips a BOM and trims header cells first.
 */
export function missingColumns(spec: DatasetSpec, header: readonly string[]): string[] {
  const present = new Set(header);
  return inputColumns(spec).filter((column) => !present.has(column));
}

/** A row's fields from five values in role order (tests, fixtures, the work area's columns). */
export function rowFields(values: readonly [string | null, string | null, string | null, string | null, string | null]): RowFields {
  return { id: values[0], account: values[1], amount: values[2], currency: values[3], timestamp: values[4] };
}

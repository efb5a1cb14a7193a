import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_QUALITY_POLICY,
  TRANSACTIONS_DATASET,
  DECIMAL_PRECISION,
  DECIMAL_SCALE,
  formatRunId,
  parseAmount,
  parseTimestamp,
  type RunContext,
} from '@ledgerlake/domain';
import { LakeCatalog, monthName, type RunManifest, RunManifestSchema } from '@ledgerlake/lake';
import { claimFile } from '@ledgerlake/ledgers';
import { ColumnBuffer, ParquetObjectWriter, type ParquetColumnSpec } from '@ledgerlake/parquet';
import { jsonBody } from '@ledgerlake/storage';
import type { LakeLayout, ObjectStore, YearMonth } from '@ledgerlake/storage';
import { DuckDbGoldEngine, type GoldEngine, type PromotionDeps } from '../../src';

/*
 * A run's written output as the partition writer leaves it (Silver run folders with `_SUCCESS`,
 * the run manifest, the file claim), without running the row pipeline: promotion only needs the
 * columns Gold reads, so the Parquet here has those.
 */

/** One valid transaction: `amount` and `at` as in the CSV. */
export interface Tx {
  readonly id: number;
  readonly account: string;
  readonly amount: string;
  readonly at: string;
  readonly currency?: string;
}

const COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'id', kind: 'int64' },
  { name: 'account_id', kind: 'string', encoding: 'dictionary' },
  { name: 'amount', kind: 'decimal', precision: DECIMAL_PRECISION, scale: DECIMAL_SCALE },
  { name: 'currency', kind: 'string', encoding: 'dictionary' },
  { name: 'tx_date', kind: 'timestamp-micros-utc' },
];

/** Options of a fixture run. */
export interface RunOptions {
  /** Start time; the run id is derived from it. */
  readonly started: Date;
  readonly suffix: string;
  readonly mode?: 'ingest' | 'backfill';
  readonly backfillMonth?: string;
  readonly quarantined?: number;
  readonly condemned?: number;
  readonly criticalErrors?: string[];
}

/** Writes a run's output and claims its file; returns the run id and context. */
export async function writeRunOutput(
  store: ObjectStore,
  layout: LakeLayout,
  txs: readonly Tx[],
  options: RunOptions,
): Promise<{ runId: string; run: RunContext; manifest: RunManifest }> {
  const runId = formatRunId(options.started, options.suffix);
  const executionArn = `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`;
  const source = layout.bronze.file(options.started.toISOString().slice(0, 10), `${runId}.csv`);
  const run: RunContext = {
    run_id: runId,
    execution_arn: executionArn,
    execution_name: runId,
    started_at: options.started.toISOString(),
    dataset: TRANSACTIONS_DATASET.path,
    mode: options.mode ?? 'ingest',
    source,
    ...(options.backfillMonth === undefined ? {} : { backfill_month: options.backfillMonth }),
  };
  const byMonth = new Map<string, { month: YearMonth; rows: Tx[] }>();
  for (const tx of txs) {
    const parsed = parseTimestamp(tx.at);
    if (!parsed.ok) throw new Error(`fixture: bad timestamp ${tx.at}`);
    const month = { year: parsed.year, month: parsed.month };
    const name = monthName(month);
    if (!byMonth.has(name)) byMonth.set(name, { month, rows: [] });
    byMonth.get(name)?.rows.push(tx);
  }
  const partitions: RunManifest['partitions'] = [];
  let validMinor = 0n;
  for (const { month, rows } of [...byMonth.values()]) {
    const ref = layout.silver.runPart(month, runId, 0);
    const buffer = new ColumnBuffer(COLUMNS);
    for (const tx of rows) {
      const amount = parseAmount(tx.amount);
      const at = parseTimestamp(tx.at);
      if (!amount.ok || !at.ok) throw new Error(`fixture: bad row ${JSON.stringify(tx)}`);
      validMinor += amount.minor;
      buffer.push([BigInt(tx.id), tx.account, amount.minor, tx.currency ?? 'EUR', at.epochMicros]);
    }
    const writer = new ParquetObjectWriter(store, ref, { columns: COLUMNS });
    await writer.writeRowGroup(buffer.columnValues(), buffer.length);
    await writer.finish();
    const success = layout.silver.runSuccess(month, runId);
    await store.putIfAbsent(success, jsonBody({ run_id: runId }));
    partitions.push({ year: month.year, month: month.month, rows: rows.length, files: [ref.key], success });
  }
  const quarantined = options.quarantined ?? 0;
  const condemned = options.condemned ?? 0;
  const contentSha = createHash('sha256').update(runId).digest('hex');
  const manifest = RunManifestSchema.parse({
    run_id: runId,
    execution_arn: executionArn,
    source_files: [`${source.bucket}/${source.key}#fixture`],
    schema_version: TRANSACTIONS_DATASET.schemaVersion,
    counts: {
      input_rows: txs.length + quarantined + condemned,
      valid_rows: txs.length,
      quarantined_rows: quarantined,
      condemned_rows: condemned,
    },
    quarantine_by_reason: quarantined > 0 ? { CURRENCY_ERROR: quarantined } : {},
    amounts: {
      input_minor: String(validMinor),
      valid_minor: String(validMinor),
      quarantined_minor: '0',
      condemned_minor: '0',
    },
    critical_errors: options.criticalErrors ?? [],
    files: partitions.flatMap((p) => p.files),
    started_at: options.started.toISOString(),
    finished_at: new Date(options.started.getTime() + 1000).toISOString(),
    run,
    content_sha256: contentSha,
    condemned_by_reason: condemned > 0 ? { DUPLICATE_FAILURE: condemned } : {},
    partitions,
    quarantine_files: [],
    condemned_files: [],
  });
  await store.putIfAbsent(layout.artifacts.manifest(runId), jsonBody(manifest));
  await claimFile(store, layout, { contentSha256: contentSha, runId, executionArn, source, at: options.started });
  return { runId, run, manifest };
}

/** Promotion deps over a store: the lake catalog, default gate, a fixed clock. */
export function promotionDeps(store: ObjectStore, layout: LakeLayout, now = new Date('2024-04-01T02:00:00Z')): PromotionDeps {
  return { store, layout, catalog: new LakeCatalog(store, layout), thresholds: DEFAULT_QUALITY_POLICY.gate, now: () => now, gold: testGoldEngine(store) };
}

/** The Gold SQL on DuckDB as the laptop runs it, reading the (in-memory) store's objects through copies. */
export function testGoldEngine(store: ObjectStore): GoldEngine {
  return new DuckDbGoldEngine({ store, workDir: join(tmpdir(), 'ledgerlake-gold-tests'), memoryLimit: '256MB', threads: 1 });
}

/** The reference example of docs/contract/tables.md, "Reference report". */
export const SECTION_6: readonly Tx[] = [
  { id: 1, account: 'ACC001', amount: '300.00', at: '2024-01-05T09:00:00Z' },
  { id: 2, account: 'ACC001', amount: '26.00', at: '2024-01-20T09:00:00Z' },
  { id: 3, account: 'ACC001', amount: '100.00', at: '2024-02-10T09:00:00Z' },
  { id: 4, account: 'ACC001', amount: '-100.00', at: '2024-02-25T09:00:00Z' },
  { id: 5, account: 'ACC001', amount: '-10.00', at: '2024-03-15T09:00:00Z' },
  { id: 6, account: 'ACC001', amount: '10.00', at: '2024-03-30T09:00:00Z' },
  { id: 7, account: 'ACC002', amount: '-25.50', at: '2024-02-12T09:00:00Z' },
  { id: 8, account: 'ACC002', amount: '-100.00', at: '2024-03-03T09:00:00Z' },
];

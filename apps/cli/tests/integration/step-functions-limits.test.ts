import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageError } from '@ledgerlake/domain';
import { readRunRecord } from '@ledgerlake/ledgers';
import type { LocalRunResult } from '@ledgerlake/state-machine';
import { createLakeLayout, localBuckets, MemoryObjectStore, type ObjectStore } from '@ledgerlake/storage';
import { FaultInjectingStore } from '@ledgerlake/testing';
import { runBronzeObject } from '../../src/ingest';
import type { LocalLake } from '../../src/lake-folder';
import { localDefinition, type LocalWiring } from '../../src/local-lake';

/*
 * The deployed definition with every real handler at the sizes that broke the inline design: a
 * file cut into 80 chunks and 3,400 work parts (a 50 GB file's counts; in memory, one row a part).
 * Every state's input and output and every Lambda request and response must stay far below Step
 * Functions' 256 KB (asserted under 64 KB), the parent's history below 25,000 events as AWS counts
 * them, and a failure in the last row-pipeline Task must still be caught and recorded.
 */

const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const ROWS = 3_400;
const CHUNKS = 80;
/** Every record is 48 bytes with its newline, so that 43 records make a chunk: 80 chunks for 3,400 rows. */
const record = (i: number): string =>
  `${String(1_000_000 + i)},ACC${String(i % 50).padStart(5, '0')},${String(10 + (i % 90))}.${String(i % 100).padStart(2, '0')},EUR,2024-01-05T09:00:00Z`;
const CSV = `${HEADER}\n${Array.from({ length: ROWS }, (_, i) => record(i)).join('\n')}\n`;
const KB64 = 64 * 1024;

/** Small rows: one a part, a chunk every 43 records. */
const WIRING: LocalWiring = { retryIntervalMs: 0, enrichment: { rowsPerPart: 1, chunkBytes: 42 * 48 + 1 } };

describe('a file of 80 chunks and 3,400 work parts through the deployed definition', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ledgerlake-limits-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function run(lake: LocalLake, wiring: LocalWiring) {
    const source = lake.layout.bronze.file('2024-01-06', 'large.csv');
    await lake.store.put(source, CSV);
    let ended: LocalRunResult | undefined;
    const outcome = await runBronzeObject(lake, source, 'large.csv', {
      definition: localDefinition(),
      now: () => new Date('2024-01-06T00:00:00Z'),
      wiring,
      onExecutionEnded: (result) => void (ended = result),
    });
    if (ended === undefined) throw new Error('test: the execution did not end');
    return { outcome, result: ended as LocalRunResult };
  }

  function memoryLake(): LocalLake {
    return { root, store: new MemoryObjectStore(), layout: createLakeLayout(localBuckets()) };
  }

  it('publishes every row with every state and Lambda payload under 64 KB and the history under 25,000 events', async () => {
    const lake = memoryLake();
    const written = new Map<string, Uint8Array>();
    const recording = new FaultInjectingStore(lake.store, (call) => void call);
    const put = recording.put.bind(recording);
    recording.put = async (ref, body, options) => {
      const name = /^work\/[^/]+\/(plan\/chunks\.json|enriched\/parts\.json)$/.exec(ref.key)?.[1];
      if (name !== undefined) written.set(name, typeof body === 'string' ? Buffer.from(body) : body);
      return put(ref, body, options);
    };

    const { outcome, result } = await run(lake, { ...WIRING, storeFor: () => recording });

    expect(outcome).toMatchObject({ status: 'PUBLISHED', counts: { input_rows: ROWS, valid_rows: ROWS, quarantined_rows: 0, condemned_rows: 0 } });
    // The Map manifests, as written (the work area is removed when the run ends).
    const manifest = (name: string) => JSON.parse(Buffer.from(written.get(name) ?? []).toString()) as unknown[];
    expect(manifest('plan/chunks.json')).toHaveLength(CHUNKS);
    expect(manifest('enriched/parts.json')).toHaveLength(ROWS);
    const { stats } = result;
    // Reported for the README's Scaling section and the closing note.
    process.stdout.write(`step-functions-limits: ${JSON.stringify(stats)}\n`);
    expect(stats.largest_state_payload?.bytes ?? 0).toBeLessThan(KB64);
    expect(stats.largest_task_payload?.bytes ?? 0).toBeLessThan(KB64);
    expect(stats.history_events).toBeLessThan(25_000);
    expect(stats.child_executions).toBe(CHUNKS + ROWS);
    expect(stats.largest_child_history).toBeLessThan(100);
  }, 600_000);

  it('catches a failure of FinishRun, the last Task of the row pipeline, and records the run FAILED with its error', async () => {
    const lake = memoryLake();
    const failing = (fn: string, store: ObjectStore): ObjectStore =>
      fn !== 'partition-writer'
        ? store
        : new FaultInjectingStore(store, (call) =>
            call.op === 'putIfAbsent' && call.key.endsWith('/manifest.json') && !call.key.startsWith('work/')
              ? new StorageError(`storage: cannot write ${call.key}: EROFS: read-only file system`)
              : undefined,
          );

    const { outcome, result } = await run(lake, { ...WIRING, storeFor: failing });

    expect(result).toMatchObject({ status: 'FAILED', error: 'StorageError' });
    expect(outcome).toMatchObject({ status: 'FAILED' });
    expect(await readRunRecord(lake.store, lake.layout, outcome.run_id)).toMatchObject({
      status: 'FAILED',
      failed_state: 'FinishRun',
      error: 'StorageError',
      counts: { input_rows: ROWS },
    });
    expect(result.stats.largest_state_payload?.bytes ?? 0).toBeLessThan(KB64);
  }, 600_000);
});

/**
 * Benchmark child process: lands one CSV in a fresh filesystem lake and runs the four row-pipeline
 * cores on it in this process, one after the other, exactly as the state machine chains them.
 * Prints one JSON line: per-step wall time and the process's peak RSS.
 *
 * Usage: node -r @swc-node/register tools/bench/run-pipeline.ts <file.csv> <lake-dir>
 */
import { DATASET, formatRunId } from '@ledgerlake/domain';
import { enrichFile } from '@ledgerlake/enrichment';
import { preventLoops } from '@ledgerlake/loop-prevention';
import { DEFAULT_PARTITION_WRITER_SETTINGS, writePartitions } from '@ledgerlake/partition-writer';
import type { RunState } from '@ledgerlake/pipeline';
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { DEFAULT_VALIDATION_SETTINGS, validateRun } from '@ledgerlake/validation';
import { snappyCompressor } from 'hysnappy';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

async function main(): Promise<void> {
  const [csvPath, lakeDir] = process.argv.slice(2);
  if (!csvPath || !lakeDir) throw new Error('usage: run-pipeline.ts <file.csv> <lake-dir>');
  const store = new FsObjectStore(lakeDir);
  const layout = createLakeLayout(localBuckets());
  const started = new Date();
  const runId = formatRunId(started, 'bench');
  const source = layout.bronze.file(started.toISOString().slice(0, 10), basename(csvPath));
  await store.putStream(source, createReadStream(csvPath));

  let state: RunState = {
    run: {
      run_id: runId,
      execution_arn: `arn:aws:states:local:000000000000:execution:ledgerlake:${runId}`,
      execution_name: runId,
      started_at: started.toISOString(),
      dataset: DATASET,
      mode: 'ingest',
      source: { bucket: source.bucket, key: source.key },
    },
  };
  const steps: Record<string, number> = {};
  const time = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await step();
    steps[name] = performance.now() - t0;
    return result;
  };

  const deps = { store, layout };
  state = { ...state, enrichment: await time('enrichment', () => enrichFile(state, deps)) };
  state = { ...state, loop_prevention: await time('loop-prevention', () => preventLoops(state, deps)) };
  state = {
    ...state,
    validation: await time('validation', () => validateRun(state, { ...deps, settings: DEFAULT_VALIDATION_SETTINGS })),
  };
  const written = await time('partition-writer', () =>
    writePartitions(state, { ...deps, settings: DEFAULT_PARTITION_WRITER_SETTINGS, compressor: snappyCompressor() }),
  );

  const silverFiles = written.partitions.flatMap((p) => p.files);
  let silverBytes = 0;
  for (const key of silverFiles) silverBytes += (await store.head({ bucket: layout.buckets.silver, key }))?.size ?? 0;

  process.stdout.write(
    JSON.stringify({
      steps,
      counts: written.counts,
      critical_errors: written.critical_errors,
      silver_files: silverFiles.length,
      silver_bytes: silverBytes,
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: pipeline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * Benchmark child process: lands one CSV in a fresh filesystem lake and runs the four row-pipeline
 * cores on it in this process, one after the other, exactly as the state machine chains them.
 * Prints one JSON line: per-step wall time and the process's peak RSS.
 *
 * Usage: node -r @swc-node/register tools/bench/run-pipeline.ts <file.csv> <lake-dir>
 */
import { createLakeLayout, FsObjectStore, localBuckets } from '@ledgerlake/storage';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { runRowPipeline } from './row-pipeline';

async function main(): Promise<void> {
  const [csvPath, lakeDir] = process.argv.slice(2);
  if (!csvPath || !lakeDir) throw new Error('usage: run-pipeline.ts <file.csv> <lake-dir>');
  const store = new FsObjectStore(lakeDir);
  const layout = createLakeLayout(localBuckets());
  const started = new Date();
  const source = layout.bronze.file(started.toISOString().slice(0, 10), basename(csvPath));
  await store.putStream(source, createReadStream(csvPath));
  const { steps, written } = await runRowPipeline(store, layout, source, started);

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

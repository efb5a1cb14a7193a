/**
 * Benchmark child process: lands one CSV in a fresh filesystem lake (streamed, never held whole)
 * and runs the state machine on it through the local runner, exactly as `ledgerlake ingest` does,
 * with the given number of worker threads for the Map iterations. Prints one JSON line: the wall
 * time of each top-level state, the run's outcome and the process's peak RSS (all threads).
 *
 * Usage: node -r @swc-node/register tools/bench/run-pipeline.ts <file.csv> <lake-dir> <workers>
 */
import { localDefinition, openLake, runBronzeObject } from '@ledgerlake/cli';
import { parseRate } from '@ledgerlake/domain';
import { listAll } from '@ledgerlake/storage';
import { createReadStream } from 'node:fs';
import { cpuSeconds } from './cpu-seconds';
import { basename } from 'node:path';

async function main(): Promise<void> {
  const [csvPath, lakeDir, workersArg] = process.argv.slice(2);
  const workers = Number(workersArg);
  if (!csvPath || !lakeDir || !Number.isInteger(workers)) throw new Error('usage: run-pipeline.ts <file.csv> <lake-dir> <workers>');
  const lake = await openLake(lakeDir);
  const started = new Date();
  const source = lake.layout.bronze.file(started.toISOString().slice(0, 10), basename(csvPath));
  await lake.store.putStream(source, createReadStream(csvPath));

  const definition = localDefinition();
  const order = Object.keys(definition.States);
  const topLevel = new Set(order);
  // The part the DuckDB job's Silver part does: every state up to and including FinishRun.
  const toSilver = new Set(order.slice(0, order.indexOf('FinishRun') + 1));
  const steps: Record<string, number> = {};
  // The process's peak RSS at the end of each state: where the peak was reached.
  const peaks: Record<string, number> = {};
  let current: { name: string; at: number } | undefined;
  const leave = (at: number): void => {
    if (current === undefined) return;
    steps[current.name] = (steps[current.name] ?? 0) + (at - current.at);
    peaks[current.name] = process.resourceUsage().maxRSS * 1024;
  };
  const enter = (name: string): void => {
    if (!topLevel.has(name)) return;
    const at = performance.now();
    leave(at);
    current = { name, at };
  };
  const t0 = performance.now();
  const outcome = await runBronzeObject(lake, source, csvPath, {
    definition,
    now: () => started,
    onState: enter,
    // The bench file has a realistic share of bad rows; the gate is not what is measured.
    wiring: { workers, thresholds: { promoteBelowQuarantineRate: parseRate('1'), promoteBelowCondemnedRows: Number.MAX_SAFE_INTEGER } },
  });
  const wallMs = performance.now() - t0;
  leave(performance.now());

  let silverBytes = 0;
  let silverFiles = 0;
  for (const partition of outcome.partitions ?? []) {
    const [year, month] = partition.partition.split('-').map(Number) as [number, number];
    const latest = await lake.store.getBytes(lake.layout.silver.latest({ year, month }));
    const files = (JSON.parse(Buffer.from(latest ?? []).toString('utf8')) as { files: string[] }).files;
    for (const key of files) {
      silverFiles += 1;
      silverBytes += (await lake.store.head({ bucket: lake.layout.buckets.silver, key }))?.size ?? 0;
    }
  }
  // Gold's rows as committed: the rows each month's current version names.
  let goldBalanceRows = 0;
  const { bucket, prefix } = lake.layout.gold.accountBalances.tablePrefix();
  for await (const { key } of listAll(lake.store, bucket, prefix)) {
    if (!key.endsWith('/_LATEST.json')) continue;
    const latest = JSON.parse(Buffer.from((await lake.store.getBytes({ bucket, key })) ?? []).toString('utf8')) as { runs: { rows: number }[] };
    goldBalanceRows += latest.runs.reduce((sum, run) => sum + run.rows, 0);
  }
  process.stdout.write(
    JSON.stringify({
      workers,
      status: outcome.status,
      error: outcome.error ?? null,
      wall_ms: wallMs,
      steps,
      counts: outcome.counts,
      silver_files: silverFiles,
      silver_bytes: silverBytes,
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
      peak_rss_by_state: peaks,
      gold_balance_rows: goldBalanceRows,
      cpu_s: cpuSeconds(),
      to_silver_ms: Object.entries(steps).reduce((sum, [name, ms]) => sum + (toSilver.has(name) ? ms : 0), 0),
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: pipeline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

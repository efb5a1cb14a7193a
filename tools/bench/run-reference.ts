/**
 * Benchmark child process: the DuckDB reference job on one CSV, in its own process so that its
 * memory is measured apart from the pipeline's. Prints one JSON line.
 *
 * Usage: node -r @swc-node/register tools/bench/run-reference.ts <file.csv> <out-dir> <threads>
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds } from './cpu-seconds';
import { runDuckDbReference } from './duckdb-reference';

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : statSync(path).size;
  }
  return total;
}

async function main(): Promise<void> {
  const [csvPath, outDir, threads] = process.argv.slice(2);
  if (!csvPath || !outDir) throw new Error('usage: run-reference.ts <file.csv> <out-dir> <threads>');
  const result = await runDuckDbReference(csvPath, outDir, Number(threads ?? 2));
  process.stdout.write(
    JSON.stringify({
      ...result,
      silver_bytes: sizeOf(join(outDir, 'silver')),
      peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
      cpu_s: cpuSeconds(),
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: reference failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

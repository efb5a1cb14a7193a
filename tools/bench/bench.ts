/**
 * `npm run bench -- [--rows N] [--seed S]`: the row pipeline against the DuckDB reference job, on
 * the same generated file, on this machine, in this run. Each side runs in its own child process
 * (so peak RSS is each side's own). Prints a readable table, then the summary as one JSON line.
 */
import { generateTransactionsCsv } from '@ledgerlake/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface PipelineOutput {
  steps: Record<string, number>;
  counts: { input_rows: number; valid_rows: number; quarantined_rows: number; condemned_rows: number };
  critical_errors: string[];
  silver_files: number;
  silver_bytes: number;
  peak_rss_bytes: number;
}

interface ReferenceOutput {
  wallMs: number;
  validRows: number;
  quarantinedRows: number;
  silver_bytes: number;
  peak_rss_bytes: number;
}

const root = resolve(__dirname, '../..');
const MB = 1024 * 1024;

function runChild<T>(script: string, args: string[]): T {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, script), ...args], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * MB,
  });
  const lines = out.toString('utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

const rate = (rows: number, ms: number): number => Math.round(rows / (ms / 1000));
const fmt = (n: number): string => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' } },
  });
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`bench: --rows must be a positive integer, got ${values.rows}`);

  const work = join(root, 'tmp', 'bench');
  mkdirSync(work, { recursive: true });
  const csv = join(work, `transactions-${rows}-${seed}.csv`);
  if (!existsSync(csv)) {
    process.stderr.write(`bench: generating ${fmt(rows)} rows into ${csv}\n`);
    await generateTransactionsCsv(csv, { rows, seed });
  }
  const csvBytes = statSync(csv).size;
  const lake = join(work, 'lake');
  const refOut = join(work, 'duckdb');
  rmSync(lake, { recursive: true, force: true });
  rmSync(refOut, { recursive: true, force: true });

  process.stderr.write('bench: running the pipeline\n');
  const p = runChild<PipelineOutput>('run-pipeline.ts', [csv, lake]);
  process.stderr.write('bench: running the DuckDB reference\n');
  const threads = cpus().length;
  const r = runChild<ReferenceOutput>('run-reference.ts', [csv, refOut, String(threads)]);

  const pipelineMs = Object.values(p.steps).reduce((a, b) => a + b, 0);
  const input = p.counts.input_rows;
  const lines = [
    `rows ${fmt(input)}  csv ${(csvBytes / MB).toFixed(1)} MB  machine ${cpus().length} cores`,
    '',
    'step                 wall ms     rows/s',
    ...Object.entries(p.steps).map(([name, ms]) => `${name.padEnd(18)} ${fmt(Math.round(ms)).padStart(9)} ${fmt(rate(input, ms)).padStart(10)}`),
    `${'pipeline total'.padEnd(18)} ${fmt(Math.round(pipelineMs)).padStart(9)} ${fmt(rate(input, pipelineMs)).padStart(10)}`,
    `${`duckdb (${threads} threads)`.padEnd(18)} ${fmt(Math.round(r.wallMs)).padStart(9)} ${fmt(rate(input, r.wallMs)).padStart(10)}`,
    '',
    `ratio pipeline/duckdb wall   ${(pipelineMs / r.wallMs).toFixed(2)}x`,
    `peak RSS pipeline ${fmt(Math.round(p.peak_rss_bytes / MB))} MB, duckdb ${fmt(Math.round(r.peak_rss_bytes / MB))} MB`,
    `silver bytes/row pipeline ${(p.silver_bytes / p.counts.valid_rows).toFixed(1)}, duckdb ${(r.silver_bytes / r.validRows).toFixed(1)}`,
    `counts valid ${fmt(p.counts.valid_rows)} quarantined ${fmt(p.counts.quarantined_rows)} condemned ${fmt(p.counts.condemned_rows)}` +
      (p.critical_errors.length > 0 ? `  CRITICAL: ${p.critical_errors.join('; ')}` : ''),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const summary = {
    rows: input,
    csv_bytes: csvBytes,
    cores: cpus().length,
    steps_ms: Object.fromEntries(Object.entries(p.steps).map(([k, v]) => [k, Math.round(v)])),
    steps_rows_per_s: Object.fromEntries(Object.entries(p.steps).map(([k, v]) => [k, rate(input, v)])),
    pipeline_ms: Math.round(pipelineMs),
    pipeline_rows_per_s: rate(input, pipelineMs),
    duckdb_ms: Math.round(r.wallMs),
    duckdb_threads: threads,
    ratio_pipeline_to_duckdb: Number((pipelineMs / r.wallMs).toFixed(3)),
    pipeline_peak_rss_mb: Math.round(p.peak_rss_bytes / MB),
    duckdb_peak_rss_mb: Math.round(r.peak_rss_bytes / MB),
    silver_bytes_per_row: Number((p.silver_bytes / p.counts.valid_rows).toFixed(2)),
    duckdb_silver_bytes_per_row: Number((r.silver_bytes / r.validRows).toFixed(2)),
    counts: p.counts,
    critical_errors: p.critical_errors,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  if (p.critical_errors.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

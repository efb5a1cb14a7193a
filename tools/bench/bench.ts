/**
 * `npm run bench -- [--rows N] [--seed S] [--workers 1,2] [--startup-only]`: the command line's start-up
 * (startup.ts: `--help`, `runs`, a tiny query, a 4-row ingest against `node -e 0`), then the whole state machine (local runner,
 * Map iterations on N worker threads) against the DuckDB reference doing the whole same job
 * (duckdb-reference.ts: Silver, Quarantine, Condemned and both Gold tables), on the same generated
 * file, on this machine, in this run — once per worker count. Each run is its own child process (so
 * peak RSS and CPU seconds are each one's own). Reports wall and CPU seconds (user + system, every
 * thread) beside each other — CPU is steadier on a shared machine — the ratios to DuckDB, the part
 * up to Silver against DuckDB's Silver part, per-state times, peak RSS, Silver bytes/row and the
 * worker speed-up. Prints a readable table, then the summary as one JSON line.
 */
import { generateTransactionsCsv } from '@ledgerlake/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStartup, measureStartup, STARTUP_GOALS_S } from './startup';

interface PipelineOutput {
  workers: number;
  status: string;
  error: unknown;
  wall_ms: number;
  steps: Record<string, number>;
  counts: { input_rows: number; valid_rows: number; quarantined_rows: number; condemned_rows: number };
  silver_files: number;
  silver_bytes: number;
  peak_rss_bytes: number;
  /** The process's peak RSS at the end of each state. */
  peak_rss_by_state: Record<string, number>;
  /** Rows of gold.account_balances as committed. */
  gold_balance_rows: number;
  cpu_s: number;
  /** Wall time of the states up to and including FinishRun: the part the DuckDB job's Silver part does. */
  to_silver_ms: number;
}

interface ReferenceOutput {
  wallMs: number;
  silverMs: number;
  goldMs: number;
  validRows: number;
  quarantinedRows: number;
  condemnedRows: number;
  goldBalanceRows: number;
  silver_bytes: number;
  peak_rss_bytes: number;
  cpu_s: number;
}

const root = resolve(__dirname, '../..');
const MB = 1024 * 1024;

function runChild<T>(script: string, args: string[]): T {
  const out = execFileSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, script), ...args], {
    cwd: root,
    // Transpiled for the project's ES2022 target, as the CLI runs (apps/cli/src/register-typescript.js).
    env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, 'tsconfig.json'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
    options: {
      rows: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      workers: { type: 'string', default: '1,2' },
      'startup-only': { type: 'boolean', default: false },
    },
  });
  process.stderr.write('bench: measuring the command line\'s start-up\n');
  const startup = measureStartup(join(root, 'tmp', 'bench', 'startup'));
  process.stdout.write(formatStartup(startup));
  if (values['startup-only']) {
    process.stdout.write(`${JSON.stringify({ startup, startup_goals_s: STARTUP_GOALS_S })}\n`);
    return;
  }
  const workerCounts = values.workers.split(',').map(Number);
  if (workerCounts.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`bench: --workers must list worker counts, got ${values.workers}`);
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

  const runs: PipelineOutput[] = [];
  for (const workers of workerCounts) {
    rmSync(lake, { recursive: true, force: true });
    process.stderr.write(`bench: running the pipeline with ${workers} worker${workers === 1 ? '' : 's'}\n`);
    runs.push(runChild<PipelineOutput>('run-pipeline.ts', [csv, lake, String(workers)]));
  }
  process.stderr.write('bench: running the DuckDB reference\n');
  const threads = cpus().length;
  const r = runChild<ReferenceOutput>('run-reference.ts', [csv, refOut, String(threads)]);

  const first = runs[0] as PipelineOutput;
  const input = first.counts.input_rows;
  const toSilver = (run: PipelineOutput): number => run.to_silver_ms;
  const stepNames = [...new Set(runs.flatMap((run) => Object.keys(run.steps)))];
  const header = `${'state'.padEnd(18)}${runs.map((run) => `${`${run.workers}w ms`.padStart(11)}${`peak MB`.padStart(9)}`).join('')}`;
  const peakMb = (run: PipelineOutput, name: string): string => {
    const bytes = run.peak_rss_by_state[name];
    return (bytes === undefined ? '' : fmt(Math.round(bytes / MB))).padStart(9);
  };
  const processParts = (run: PipelineOutput): number => run.steps['ProcessParts'] ?? Number.NaN;
  const lines = [
    `rows ${fmt(input)}  csv ${(csvBytes / MB).toFixed(1)} MB  machine ${cpus().length} cores`,
    '',
    header,
    ...stepNames.map(
      (name) => `${name.padEnd(18)}${runs.map((run) => `${fmt(Math.round(run.steps[name] ?? 0)).padStart(11)}${peakMb(run, name)}`).join('')}`,
    ),
    `${'total'.padEnd(18)}${runs.map((run) => `${fmt(Math.round(run.wall_ms)).padStart(11)}${fmt(Math.round(run.peak_rss_bytes / MB)).padStart(9)}`).join('')}`,
    '',
    ...runs.map(
      (run) =>
        `${run.workers} worker${run.workers === 1 ? ' ' : 's'}  ${fmt(rate(input, run.wall_ms)).padStart(9)} rows/s  ` +
        `wall ${(run.wall_ms / 1000).toFixed(1)} s = ${(run.wall_ms / r.wallMs).toFixed(2)}x DuckDB, CPU ${run.cpu_s.toFixed(1)} s = ${(run.cpu_s / r.cpu_s).toFixed(2)}x, ` +
        `to Silver ${(toSilver(run) / 1000).toFixed(1)} s = ${(toSilver(run) / r.silverMs).toFixed(2)}x  peak RSS ${fmt(Math.round(run.peak_rss_bytes / MB))} MB  ` +
        `silver ${(run.silver_bytes / run.counts.valid_rows).toFixed(1)} B/row in ${run.silver_files} files  ${run.status}`,
    ),
    `duckdb (${threads} threads, the whole job) ${fmt(rate(input, r.wallMs)).padStart(9)} rows/s  wall ${(r.wallMs / 1000).toFixed(1)} s (Silver ${(r.silverMs / 1000).toFixed(1)} s, Gold ${(r.goldMs / 1000).toFixed(1)} s: ${fmt(r.goldBalanceRows)} balance rows)  CPU ${r.cpu_s.toFixed(1)} s  peak RSS ${fmt(Math.round(r.peak_rss_bytes / MB))} MB  silver ${(r.silver_bytes / r.validRows).toFixed(1)} B/row`,
    runs.length > 1
      ? `speed-up ${runs.map((run) => `${run.workers}w ${(first.wall_ms / run.wall_ms).toFixed(2)}x`).join(', ')} end to end, ` +
        `${runs.map((run) => `${run.workers}w ${(processParts(first) / processParts(run)).toFixed(2)}x`).join(', ')} on ProcessParts ` +
        `(against ${first.workers} worker${first.workers === 1 ? '' : 's'})`
      : '',
    `counts valid ${fmt(first.counts.valid_rows)} quarantined ${fmt(first.counts.quarantined_rows)} condemned ${fmt(first.counts.condemned_rows)}` +
      ` (duckdb: ${fmt(r.validRows)} / ${fmt(r.quarantinedRows)} / ${fmt(r.condemnedRows)}), gold.account_balances rows ${fmt(first.gold_balance_rows)} (duckdb: ${fmt(r.goldBalanceRows)})`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const summary = {
    startup,
    startup_goals_s: STARTUP_GOALS_S,
    rows: input,
    csv_bytes: csvBytes,
    cores: cpus().length,
    duckdb_ms: Math.round(r.wallMs),
    duckdb_silver_ms: Math.round(r.silverMs),
    duckdb_gold_ms: Math.round(r.goldMs),
    duckdb_cpu_s: Number(r.cpu_s.toFixed(2)),
    duckdb_gold_balance_rows: r.goldBalanceRows,
    duckdb_threads: threads,
    duckdb_peak_rss_mb: Math.round(r.peak_rss_bytes / MB),
    duckdb_silver_bytes_per_row: Number((r.silver_bytes / r.validRows).toFixed(2)),
    runs: runs.map((run) => ({
      workers: run.workers,
      status: run.status,
      wall_ms: Math.round(run.wall_ms),
      rows_per_s: rate(input, run.wall_ms),
      ratio_to_duckdb: Number((run.wall_ms / r.wallMs).toFixed(3)),
      cpu_s: Number(run.cpu_s.toFixed(2)),
      cpu_ratio_to_duckdb: Number((run.cpu_s / r.cpu_s).toFixed(3)),
      to_silver_ms: Math.round(toSilver(run)),
      to_silver_ratio_to_duckdb: Number((toSilver(run) / r.silverMs).toFixed(3)),
      speedup_vs_first: Number((first.wall_ms / run.wall_ms).toFixed(3)),
      process_parts_speedup_vs_first: Number((processParts(first) / processParts(run)).toFixed(3)),
      gold_balance_rows: run.gold_balance_rows,
      peak_rss_mb: Math.round(run.peak_rss_bytes / MB),
      silver_bytes_per_row: Number((run.silver_bytes / run.counts.valid_rows).toFixed(2)),
      steps_ms: Object.fromEntries(Object.entries(run.steps).map(([k, v]) => [k, Math.round(v)])),
    })),
    counts: first.counts,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  const counted = (run: PipelineOutput) =>
    JSON.stringify(run.counts) === JSON.stringify(first.counts) && run.gold_balance_rows === r.goldBalanceRows && run.counts.valid_rows === r.validRows;
  if (runs.some((run) => run.status !== 'PUBLISHED' || !counted(run))) {
    process.stderr.write('bench: a run was not published, or the runs and DuckDB disagree on the counts or Gold rows\n');
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

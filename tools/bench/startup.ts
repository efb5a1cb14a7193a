/**
 * How long the `ledgerlake` command takes to answer, as a person runs it (apps/cli/bin/ledgerlake.js,
 * the bundle): `--help`, `runs`, a tiny query and a 4-row ingest, each against a bare `node -e 0`
 * measured in the same run — ratios and differences to it, wall time and CPU seconds (user +
 * system, every thread, reported by the child itself at exit through cpu-at-exit.cjs).
 * Each figure is the median of `repeat` runs. Then `query` of a 1M-row result to a table, CSV and
 * JSON (piped), once each, with the process's peak RSS: streamed output keeps memory flat.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const BIN = join(root, 'apps/cli/bin/ledgerlake.js');

/** Goals (seconds over `node -e 0`, wall): the command line's start-up budget. */
export const STARTUP_GOALS_S = { help: 0.4, query: 1, ingest: 1.5 } as const;

export interface StartupFigure {
  readonly command: string;
  readonly wall_s: number;
  readonly cpu_s: number;
  /** Wall time over `node -e 0`'s. */
  readonly over_node_s: number;
  readonly ratio_to_node: number;
  readonly peak_rss_mb: number;
}

interface Sample {
  wall_s: number;
  cpu_s: number;
  rss_mb: number;
}

function runOnce(args: readonly string[], cwd: string, cpuFile: string): Sample {
  rmSync(cpuFile, { force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', join(__dirname, 'cpu-at-exit.cjs'), ...args], {
    cwd,
    env: { ...process.env, BENCH_CPU_FILE: cpuFile, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`bench: ${args.join(' ')} exited ${result.status}: ${result.stderr.toString('utf8').trim()}`);
  const { user, system, maxRSS } = JSON.parse(readFileSync(cpuFile, 'utf8')) as { user: number; system: number; maxRSS: number };
  return { wall_s, cpu_s: (user + system) / 1e6, rss_mb: maxRSS / 1024 };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Measures the start-up figures in `work` (a scratch folder). */
export function measureStartup(work: string, repeat = 5): StartupFigure[] {
  mkdirSync(work, { recursive: true });
  const cpuFile = join(work, 'cpu.json');
  const file = join(work, 'four-rows.csv');
  writeFileSync(
    file,
    [
      'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp',
      '1,ACC001,300.00,EUR,2024-01-05T09:00:00Z',
      '2,ACC001,26.00,EUR,2024-01-20T09:00:00Z',
      '3,ACC002,100.00,EUR,2024-02-10T09:00:00Z',
      '4,ACC002,-100.00,EUR,2024-02-25T09:00:00Z',
      '',
    ].join('\n'),
  );
  const lake = join(work, 'lake');
  rmSync(lake, { recursive: true, force: true });
  // The first run builds the bundle if a source changed since the last build: not measured.
  runOnce([BIN, 'ingest', file, '--lake', lake], work, cpuFile);
  const million = 'SELECT range AS n, range * 0.01 AS amount, \'account \' || (range % 5000) AS label FROM range(1000000)';
  const commands: { command: string; args: () => string[]; before?: () => void; once?: true }[] = [
    { command: 'node -e 0', args: () => ['-e', '0'] },
    { command: 'ledgerlake --help', args: () => [BIN, '--help'] },
    { command: 'ledgerlake runs', args: () => [BIN, 'runs', '--lake', lake] },
    { command: 'ledgerlake query (tiny)', args: () => [BIN, 'query', 'SELECT count(*) FROM silver.transactions', '--lake', lake] },
    {
      command: 'ledgerlake ingest (4 rows)',
      args: () => [BIN, 'ingest', file, '--lake', join(work, 'ingest-lake')],
      before: () => rmSync(join(work, 'ingest-lake'), { recursive: true, force: true }),
    },
    ...(['table', 'csv', 'json'] as const).map((format) => ({
      command: `ledgerlake query 1M rows ${format}`,
      args: () => [BIN, 'query', million, '--format', format, '--lake', lake],
      once: true as const,
    })),
  ];
  const measured = commands.map(({ command, args, before, once }) => {
    const samples: Sample[] = [];
    for (let i = 0; i < (once === true ? 1 : repeat); i++) {
      before?.();
      samples.push(runOnce(args(), work, cpuFile));
    }
    return { command, wall_s: median(samples.map((s) => s.wall_s)), cpu_s: median(samples.map((s) => s.cpu_s)), rss_mb: Math.max(...samples.map((s) => s.rss_mb)) };
  });
  const node = measured[0] as { wall_s: number };
  return measured.map((m) => ({
    ...m,
    wall_s: Number(m.wall_s.toFixed(3)),
    cpu_s: Number(m.cpu_s.toFixed(3)),
    over_node_s: Number((m.wall_s - node.wall_s).toFixed(3)),
    ratio_to_node: Number((m.wall_s / node.wall_s).toFixed(2)),
    peak_rss_mb: Math.round(m.rss_mb),
  }));
}

/** The readable table of the figures, with each goal and whether it is met. */
export function formatStartup(figures: readonly StartupFigure[]): string {
  const goal = (command: string): number | undefined =>
    command.includes('--help') ? STARTUP_GOALS_S.help : command.includes('query (tiny)') ? STARTUP_GOALS_S.query : command.includes('ingest') ? STARTUP_GOALS_S.ingest : undefined;
  const lines = figures.map((f) => {
    const g = goal(f.command);
    const verdict = g === undefined ? '' : `  goal ${g} s over node: ${f.over_node_s <= g ? 'met' : 'MISSED'}`;
    return `${f.command.padEnd(31)}wall ${f.wall_s.toFixed(2)} s  CPU ${f.cpu_s.toFixed(2)} s  peak RSS ${String(f.peak_rss_mb).padStart(4)} MB  = ${f.ratio_to_node.toFixed(2)}x node -e 0 (+${f.over_node_s.toFixed(2)} s)${verdict}`;
  });
  return `start-up (median of 5 each; the 1M-row queries once)\n${lines.join('\n')}\n`;
}

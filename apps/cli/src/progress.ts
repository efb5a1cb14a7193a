import { isPipelineState, ROW_PIPELINE, type PipelineStateName } from '@ledgerlake/contract';
import type { CliOutput } from './cli-io';

/*
 * The live progress line of one file's run on a terminal (stderr, redrawn in place, cleared at the
 * end; never written to a pipe or with --json: main.ts decides). It says what a person wants to
 * know, from the execution's own state events: the phase in words, and while rows are read and
 * while they are validated and written, rows done of the total, %, rate and time left:
 *   q1.csv  Validating and writing rows  412,345 of 1,000,000 rows  41%  103,000 rows/s  ~6 s left  12.3 s
 * Rows are counted as each Map iteration ends (a chunk read, a part written), so the line moves
 * once per chunk or part; the time left is the rate so far applied to what remains.
 */

/** Live progress of one file on a terminal. */
export interface Progress {
  /** The execution (or one of its Map iterations) entered this state. */
  state(name: string): void;
  /** The execution (or one of its Map iterations) left this state with this output. */
  exited(name: string, output: unknown): void;
  /** Clears the progress line. */
  stop(): void;
}

const REFRESH_MS = 100;

/** Whether a state event's `name` is the contract's state `state` (a typo or a renamed state fails typecheck). */
const named = (name: string, state: PipelineStateName): boolean => name === state;

interface Counted {
  /** When the phase began (ms, performance.now). */
  readonly since: number;
  done: number;
  total: number | undefined;
  /** What `done` counts: rows (of a known total), or chunks (rows only reported). */
  readonly unit: 'rows' | 'chunks';
  rows: number;
}

/** The progress line for `file`; `columns`: the terminal's width (the line is cut to fit, so it never wraps). */
export function startProgress(stderr: CliOutput & { readonly columns?: number }, file: string): Progress {
  const started = performance.now();
  let phase = 'Starting';
  let counted: Counted | undefined;
  let totalRows: number | undefined;
  let chunks: number | undefined;

  const draw = (): void => {
    const now = performance.now();
    const parts = [file, phase];
    if (counted !== undefined) parts.push(...describeCount(counted, now));
    parts.push(`${((now - started) / 1000).toFixed(1)} s`);
    const line = parts.join('  ');
    const width = stderr.columns ?? 0;
    stderr.write(`\r\x1b[2K${width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line}`);
  };
  draw();
  const timer = setInterval(draw, REFRESH_MS);
  timer.unref();
  return {
    state(name) {
      // What each state is doing, in words, from the contract; states not in it (the Pass states that start a run) keep the phase before them.
      const words = isPipelineState(name) ? ROW_PIPELINE[name].activity : undefined;
      if (words === undefined || words === phase) return;
      phase = words;
      counted =
        named(name, 'EnrichChunks')
          ? { since: performance.now(), done: 0, total: chunks, unit: 'chunks', rows: 0 }
          : named(name, 'ProcessParts')
            ? { since: performance.now(), done: 0, total: totalRows, unit: 'rows', rows: 0 }
            : undefined;
      draw();
    },
    exited(name, output) {
      if (named(name, 'PlanChunks')) chunks = numberAt(output, [ROW_PIPELINE.PlanChunks.section, 'chunk_count']);
      else if (named(name, 'CombineChunks')) totalRows = numberAt(output, [ROW_PIPELINE.CombineChunks.section, 'input_rows']);
      else if (named(name, 'EnrichChunk') && counted?.unit === 'chunks') {
        counted.done += 1;
        counted.rows += numberAt(output, ['input_rows']) ?? 0;
      } else if (named(name, 'WritePart') && counted?.unit === 'rows') {
        const rows = numberAt(output, ['counts', 'input_rows']) ?? 0;
        counted.done += rows;
        counted.rows += rows;
      } else return;
      draw();
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    },
  };
}

/** `412,345 of 1,000,000 rows  41%  103,000 rows/s  ~6 s left` (chunks: `chunk 2 of 5  290,000 rows read  40%  …`). */
function describeCount(counted: Counted, now: number): string[] {
  const seconds = (now - counted.since) / 1000;
  const rate = seconds > 0 ? counted.rows / seconds : 0;
  const out =
    counted.unit === 'rows'
      ? [`${fmt(counted.done)}${counted.total === undefined ? '' : ` of ${fmt(counted.total)}`} rows`]
      : [`${fmt(counted.done)}${counted.total === undefined ? '' : ` of ${fmt(counted.total)}`} chunks`, `${fmt(counted.rows)} rows read`];
  if (counted.total !== undefined && counted.total > 0) {
    out.push(`${Math.floor((100 * counted.done) / counted.total)}%`);
  }
  if (counted.rows > 0) out.push(`${fmt(Math.round(rate))} rows/s`);
  if (counted.total !== undefined && counted.done > 0 && counted.done < counted.total && seconds > 0) {
    const left = ((counted.total - counted.done) * seconds) / counted.done;
    out.push(`~${left < 60 ? `${Math.ceil(left)} s` : `${Math.ceil(left / 60)} min`} left`);
  }
  return out;
}

function numberAt(value: unknown, path: readonly string[]): number | undefined {
  let at: unknown = value;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

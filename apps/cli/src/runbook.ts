/*
 * The runbook as the command runs it: the library's operations (`@ledgerlake/runbook`, the same on
 * a lake folder and a stage) and the command's own readable forms and file inputs. main.ts loads
 * this module only for the commands that need it.
 */
import { createGunzip } from 'node:zlib';
import type { BreakerState, CondemnedDecision } from '@ledgerlake/ledgers';
import { CliError } from './cli-error';
import { type InputFile, openInputFile } from './input-files';
import { count } from '@ledgerlake/domain';

export * from '@ledgerlake/runbook';

/** The readable summary of a decision. */
export function formatDecision(decision: CondemnedDecision): string {
  const verb = decision.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  const then = decision.decision === 'approve' ? `; re-submitted as retry run ${decision.retry_run_id}` : '; kept, never retried';
  return `${verb} ${count(decision.rows.length, 'condemned row')} of run ${decision.run_id} by ${decision.by} at ${decision.at} (${decision.reason})${then}\n`;
}

/** The readable breaker state. */
export function formatBreaker(state: BreakerState): string {
  const last = state.reset.at(-1);
  const lastReset = last === undefined ? 'never reset' : `last reset by ${last.by} at ${last.at} (${last.reason})`;
  if (state.state === 'closed') return `Circuit breaker CLOSED: runs start; ${lastReset}.\n`;
  return (
    `Circuit breaker OPEN since ${state.opened_at} (run ${state.opened_by_run}): ${state.code} failed ${state.failed} of ` +
    `${state.processed} rows in ${state.window_minutes} min; runs are refused until \`ledgerlake breaker reset --by NAME --reason TEXT\`; ${lastReset}.\n`
  );
}

/** The input of `backfill --month YYYY-MM FILE...` (`@ledgerlake/runbook` backfillMonth): the files as one CSV; one `.gz` file lands as it is. */
export async function backfillInput(files: readonly InputFile[]): Promise<{ files: string[]; bytes: AsyncIterable<Uint8Array>; gzip: boolean }> {
  return {
    files: files.map((file) => file.path),
    bytes: await combineBackfillInputs(files),
    gzip: files.length === 1 && files[0]?.path.endsWith('.gz') === true,
  };
}

/**
 * The backfill's one input, streamed (any size): a single file as it is; several files (each with
 * a header, gzip or not) as one CSV, the first file's header then every file's rows. Headers are
 * read and compared before anything lands: headers that differ are refused, since the columns of
 * one run must mean one thing.
 */
async function combineBackfillInputs(files: readonly InputFile[]): Promise<AsyncIterable<Uint8Array>> {
  if (files.length === 1) return openInputFile(files[0] as InputFile);
  const headers: { header: string; end: number }[] = [];
  for (const file of files) headers.push(await headerLineOf(file));
  const header = (headers[0] as { header: string }).header;
  headers.forEach((found, index) => {
    if (found.header !== header) {
      throw new CliError(`${files[index]?.path} has another header than ${files[0]?.path}; a backfill's files must share one header. Nothing was backfilled.`);
    }
  });
  return concatenated(files, headers.map((found, index) => (index === 0 ? 0 : found.end)));
}

/** The plain bytes of a file (gunzipped when it ends in `.gz`). */
function plainBytes(file: InputFile): AsyncIterable<Buffer> {
  const raw = openInputFile(file);
  return file.path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** How much of a file may precede its header line's end. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** A file's first non-blank line (trimmed, without a byte order mark) and the plain-byte offset after it. */
async function headerLineOf(file: InputFile): Promise<{ header: string; end: number }> {
  let held = Buffer.alloc(0);
  let start = 0;
  for await (const chunk of plainBytes(file)) {
    held = Buffer.concat([held, chunk]);
    for (let lf = held.indexOf(LF, start); lf !== -1; lf = held.indexOf(LF, start)) {
      const line = held.subarray(start, lf).toString('utf8').replace(/^\uFEFF/, '').trim();
      start = lf + 1;
      if (line !== '') return { header: line, end: start };
    }
    if (held.length > MAX_HEADER_BYTES) throw new CliError(`${file.path} has no header line in its first ${MAX_HEADER_BYTES} bytes; nothing was backfilled.`);
  }
  return { header: held.subarray(start).toString('utf8').replace(/^\uFEFF/, '').trim(), end: held.length };
}

/** The files' plain bytes one after the other, each from `skip[i]` (past its header), each ending in a line feed. */
async function* concatenated(files: readonly InputFile[], skip: readonly number[]): AsyncGenerator<Uint8Array> {
  for (const [index, file] of files.entries()) {
    let rest = skip[index] ?? 0;
    let first = true;
    let last = LF;
    for await (const piece of plainBytes(file)) {
      let chunk = piece;
      if (first && index === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      first = false;
      if (rest >= chunk.length) {
        rest -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(rest);
      rest = 0;
      last = chunk[chunk.length - 1] as number;
      yield chunk;
    }
    if (last !== LF) yield Buffer.of(LF);
  }
}

const LF = 0x0a;

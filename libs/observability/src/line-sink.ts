/**
 * Where Powertools output goes instead of stdout: a function that takes one line (no trailing
 * newline), or a stream that gets each line followed by `\n` (e.g. an `fs.WriteStream` opened on
 * `artifacts/runs/<run_id>/logs.jsonl`).
 */
export type LineSink = ((line: string) => void) | { write(chunk: string): unknown };

/** Normalise a sink to a function, once, at init. */
export function toLineWriter(sink: LineSink): (line: string) => void {
  if (typeof sink === 'function') return sink;
  return (line) => {
    sink.write(`${line}\n`);
  };
}

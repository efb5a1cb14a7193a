/**
 * Splits a byte stream into lines (LF or CRLF), yielding them in batches — one batch per chunk
 * read — so that per-line overhead stays out of the hot path. The last line needs no newline.
 */
export async function* readLineBatches(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    const lines = text.split('\n');
    rest = lines.pop() as string;
    if (lines.length > 0) yield lines.map(stripCr);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield [stripCr(rest)];
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

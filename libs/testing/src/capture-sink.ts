/** One parsed line of Powertools output: a log item, or an EMF metric record (it has `_aws`). */
export type SinkRecord = Record<string, unknown>;

/** What `captureSink()` returns: pass `sink` to `createObservability`, then read what it got. */
export interface CapturedSink {
  /** The sink to hand to `createObservability({ sink })`. */
  readonly sink: (line: string) => void;
  /** Every line written, in order. */
  readonly lines: readonly string[];
  /** Every line, JSON-parsed; throws naming the line that is not a JSON object. */
  records(): SinkRecord[];
  /** The log items (records without `_aws`). */
  logs(): SinkRecord[];
  /** The EMF metric records (records with `_aws`). */
  metrics(): SinkRecord[];
  /** Forget what was captured so far (e.g. between two invocations). */
  clear(): void;
}

/** Collect the lines a Logger/Metrics sink receives, and parse them as JSON records, for tests. */
export function captureSink(): CapturedSink {
  const lines: string[] = [];
  const records = (): SinkRecord[] =>
    lines.map((line, index) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new Error(`testing: sink line ${index + 1} is not JSON: ${line}`, { cause: error });
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`testing: sink line ${index + 1} is not a JSON object: ${line}`);
      }
      return value as SinkRecord;
    });
  return {
    sink: (line) => {
      lines.push(line);
    },
    lines,
    records,
    logs: () => records().filter((record) => !('_aws' in record)),
    metrics: () => records().filter((record) => '_aws' in record),
    clear: () => {
      lines.length = 0;
    },
  };
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { type LineSink, toLineWriter } from './line-sink';

/** Name of the cold-start metric, as Powertools calls it. */
const COLD_START_METRIC = 'ColdStart';

/**
 * Powertools Metrics that can write its EMF records to a sink instead of stdout, and that
 * counts a cold start in the invocation's own record.
 */
export class LedgerLakeMetrics extends Metrics {
  readonly #options: MetricsOptions & { sink?: LineSink };
  readonly #write: ((line: string) => void) | undefined;

  constructor(options: MetricsOptions & { sink?: LineSink } = {}) {
    const { sink, ...rest } = options;
    super(rest);
    this.#options = options;
    this.#write = sink === undefined ? undefined : toLineWriter(sink);
  }

  // Powertools emits ColdStart as a separate single-metric record, with a `function_name`
  // dimension and none of the invocation's metadata. We add it to the invocation's record
  // instead, so it carries `run_id` like every other record and keeps the dimensions to
  // service and dataset.
  override captureColdStartMetric(_functionName?: string): void {
    if (this.getColdStart()) this.addMetric(COLD_START_METRIC, MetricUnit.Count, 1);
  }

  // Powertools prints EMF with a private console bound to stdout. With a sink, we serialise with
  // the public `serializeMetrics()` and clear the stores as the base does. With nothing stored
  // the base prints nothing (it only warns, or throws with throwOnEmptyMetrics), so it keeps
  // that case.
  override publishStoredMetrics(): this {
    if (this.#write === undefined || !this.hasStoredMetrics()) return super.publishStoredMetrics();
    try {
      if (!this.isDisabled()) this.#write(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }

  // The base builds a plain `Metrics` (stdout) here; keep single metrics on the same sink.
  override singleMetric(): Metrics {
    return new LedgerLakeMetrics({ ...this.#options, singleMetric: true });
  }
}

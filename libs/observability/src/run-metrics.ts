import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitName } from '@aws-lambda-powertools/metrics/types';

/** The standard per-invocation figures; snake_case like the `counts` the states pass around. */
export interface RunMetricValues {
  input_rows?: number;
  valid_rows?: number;
  quarantined_rows?: number;
  condemned_rows?: number;
  duration_ms?: number;
  bytes_read?: number;
}

const METRICS: Record<keyof RunMetricValues, { name: string; unit: MetricUnitName }> = {
  input_rows: { name: 'InputRows', unit: MetricUnit.Count },
  valid_rows: { name: 'ValidRows', unit: MetricUnit.Count },
  quarantined_rows: { name: 'QuarantinedRows', unit: MetricUnit.Count },
  condemned_rows: { name: 'CondemnedRows', unit: MetricUnit.Count },
  duration_ms: { name: 'DurationMs', unit: MetricUnit.Milliseconds },
  bytes_read: { name: 'BytesRead', unit: MetricUnit.Bytes },
};

/**
 * Add the standard metrics (`InputRows`, `ValidRows`, `QuarantinedRows`, `CondemnedRows`,
 * `DurationMs`, `BytesRead`) for the values given; `withObservability` publishes them at the end
 * of the invocation, in one EMF record with the run's metadata.
 */
export function recordRunMetrics(metrics: Metrics, values: RunMetricValues): void {
  for (const [key, value] of Object.entries(values) as [keyof RunMetricValues, number | undefined][]) {
    const metric = METRICS[key];
    if (metric === undefined || value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`observability: ${metric.name} must be a non-negative finite number, got ${value}`);
    }
    metrics.addMetric(metric.name, metric.unit, value);
  }
}

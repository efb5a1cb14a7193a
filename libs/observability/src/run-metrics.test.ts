import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { recordRunMetrics } from './run-metrics';

function emfOf(metrics: Metrics): Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: unknown[] }[] } } {
  return metrics.serializeMetrics() as ReturnType<typeof emfOf>;
}

describe('recordRunMetrics', () => {
  it('adds each given value under its standard name and unit', () => {
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });

    recordRunMetrics(metrics, {
      input_rows: 1000,
      valid_rows: 990,
      quarantined_rows: 8,
      condemned_rows: 2,
      duration_ms: 1234,
      bytes_read: 65536,
    });

    const emf = emfOf(metrics);
    expect(emf).toMatchObject({
      InputRows: 1000,
      ValidRows: 990,
      QuarantinedRows: 8,
      CondemnedRows: 2,
      DurationMs: 1234,
      BytesRead: 65536,
    });
    expect(emf._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'InputRows', Unit: MetricUnit.Count },
      { Name: 'ValidRows', Unit: MetricUnit.Count },
      { Name: 'QuarantinedRows', Unit: MetricUnit.Count },
      { Name: 'CondemnedRows', Unit: MetricUnit.Count },
      { Name: 'DurationMs', Unit: MetricUnit.Milliseconds },
      { Name: 'BytesRead', Unit: MetricUnit.Bytes },
    ]);
  });

  it('records zero, and skips values that are not given', () => {
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });

    recordRunMetrics(metrics, { condemned_rows: 0, valid_rows: undefined });

    expect(emfOf(metrics)._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'CondemnedRows', Unit: MetricUnit.Count }]);
    expect(emfOf(metrics)).toHaveProperty('CondemnedRows', 0);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects %p, naming the metric', (value) => {
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });

    expect(() => recordRunMetrics(metrics, { input_rows: value })).toThrow(
      'observability: InputRows must be a non-negative finite number',
    );
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});

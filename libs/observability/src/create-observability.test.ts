import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createObservability } from './create-observability';

type JsonRecord = Record<string, unknown>;

function capture(): { lines: string[]; records: () => JsonRecord[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as JsonRecord),
    sink: (line) => {
      lines.push(line);
    },
  };
}

afterEach(() => {
  delete process.env['POWERTOOLS_LOGGER_SAMPLE_RATE'];
});

describe('createObservability', () => {
  it('creates Powertools Logger, Metrics and Tracer for the service', () => {
    const { logger, metrics, tracer } = createObservability({ serviceName: 'silver-writer' });

    expect(logger).toBeInstanceOf(Logger);
    expect(metrics).toBeInstanceOf(Metrics);
    expect(tracer).toBeInstanceOf(Tracer);
  });

  it('uses the LedgerLake namespace and only the service dimension when no dataset is given', () => {
    const { metrics } = createObservability({ serviceName: 'alert-consumer' });
    metrics.addMetric('AlertsSent', MetricUnit.Count, 1);

    expect(metrics.serializeMetrics()).toMatchObject({
      service: 'alert-consumer',
      _aws: { CloudWatchMetrics: [{ Namespace: 'LedgerLake', Dimensions: [['service']] }] },
    });
  });

  it('uses the namespace and dataset given', () => {
    const { metrics } = createObservability({ serviceName: 'gold-builder', namespace: 'LedgerLakeDev', dataset: 'finance/account_balances' });
    metrics.addMetric('InputRows', MetricUnit.Count, 1);

    expect(metrics.serializeMetrics()).toMatchObject({
      dataset: 'finance/account_balances',
      _aws: { CloudWatchMetrics: [{ Namespace: 'LedgerLakeDev', Dimensions: [['service', 'dataset']] }] },
    });
  });

  it('applies the log level given', () => {
    const { lines, sink } = capture();
    const { logger } = createObservability({ serviceName: 'silver-writer', logLevel: 'WARN', sink });

    logger.info('dropped');
    logger.warn('kept');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"message":"kept"');
  });

  it('sends lines the Logger prints while it is being constructed to the sink', () => {
    process.env['POWERTOOLS_LOGGER_SAMPLE_RATE'] = '1';
    const stdout = jest.spyOn(process.stdout, 'write');
    const { records, sink } = capture();

    createObservability({ serviceName: 'silver-writer', sink });

    expect(stdout).not.toHaveBeenCalled();
    expect(records()).toEqual([expect.objectContaining({ level: 'DEBUG', message: 'Setting log level to DEBUG due to sampling rate' })]);
    stdout.mockRestore();
  });

  it('sends Metrics warnings to the sink as structured log lines', () => {
    const { records, sink } = capture();
    const { metrics } = createObservability({ serviceName: 'silver-writer', sink });

    metrics.publishStoredMetrics();

    expect(records()).toEqual([
      expect.objectContaining({ level: 'WARN', service: 'silver-writer', message: expect.stringContaining('No application metrics') }),
    ]);
  });

  it('rejects a blank service name', () => {
    expect(() => createObservability({ serviceName: ' ' })).toThrow('observability: serviceName must be a non-empty string');
  });
});

import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { LedgerLakeLogger } from './ledgerlake-logger';
import { LedgerLakeMetrics } from './ledgerlake-metrics';
import type { LineSink } from './line-sink';

/** Options of `createObservability`. */
export interface ObservabilityOptions {
  /** The function's name in logs (`service`), metrics (the `service` dimension) and traces. */
  serviceName: string;
  /** CloudWatch metrics namespace. */
  namespace?: string;
  /** The dataset the function works on (e.g. `mortgages/transactions`); becomes a metric dimension. */
  dataset?: string;
  /** Minimum log level; when absent Powertools reads `POWERTOOLS_LOG_LEVEL`, then defaults to INFO. */
  logLevel?: LogLevel;
  /** Where log lines and EMF records go instead of stdout (the local runner's run log). */
  sink?: LineSink;
}

/** The Powertools utilities of one function, created once per execution environment. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** Default CloudWatch metrics namespace of every LedgerLake function. */
export const DEFAULT_METRICS_NAMESPACE = 'LedgerLake';

/**
 * Create the function's Logger, Metrics and Tracer; call it once, at cold start, in `handler.ts`.
 *
 * Metrics default dimensions are low-cardinality on purpose: `service`, and `dataset` when given.
 * Per-run ids go into metadata (see `runContext`), never into dimensions.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const { serviceName, namespace = DEFAULT_METRICS_NAMESPACE, dataset, logLevel, sink } = options;
  if (serviceName.trim() === '') throw new TypeError('observability: serviceName must be a non-empty string');

  const logger = new LedgerLakeLogger({ serviceName, ...(logLevel && { logLevel }), sink });
  const metrics = new LedgerLakeMetrics({
    namespace,
    serviceName,
    defaultDimensions: dataset ? { dataset } : {},
    // Metrics' own warnings (e.g. "no metrics to publish") become structured log lines in the
    // same place as everything else, instead of plain text on stdout.
    logger,
    sink,
  });
  const tracer = new Tracer({ serviceName });
  return { logger, metrics, tracer };
}

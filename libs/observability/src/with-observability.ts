import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Observability } from './create-observability';
import type { LambdaContext, LambdaHandler } from './lambda-context';
import { logErrors } from './log-errors';
import { runContext } from './run-context';

/** Options of `withObservability`. */
export interface WithObservabilityOptions {
  /** Log the incoming event (it holds keys and counts, never rows). Default: `POWERTOOLS_LOGGER_LOG_EVENT`, else off. */
  logEvent?: boolean;
  /** Record the handler's response as trace metadata. Default: true. */
  captureResponse?: boolean;
}

const DEFAULTS = { captureResponse: true } satisfies WithObservabilityOptions;

/**
 * Wrap a handler in the middy chain every LedgerLake function uses: trace segment, Lambda
 * context on every log line, run ids on logs/metrics/trace (`runContext`), one EMF record per
 * invocation (with the cold start counted in it), and the error logged once and rethrown as is.
 */
export function withObservability<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  obs: Observability,
  options: WithObservabilityOptions = {},
): MiddyfiedHandler<TEvent, TResult, Error, LambdaContext> {
  const { logEvent, captureResponse } = { ...DEFAULTS, ...options };
  // Order matters. `before` runs top to bottom: the trace subsegment opens first (the run_id
  // annotation goes on it), the run keys are set before the Lambda context is injected (which
  // may log the event). `after`/`onError` run bottom to top: the error is logged first and the
  // metrics published next, both while the run keys are still set; the keys go last.
  return middy<TEvent, TResult, Error, LambdaContext>(handler)
    .use(captureLambdaHandler(obs.tracer, { captureResponse }))
    .use(runContext(obs))
    .use(injectLambdaContext(obs.logger, { logEvent, resetKeys: true }))
    .use(logMetrics(obs.metrics, { captureColdStartMetric: true }))
    .use(logErrors(obs.logger));
}

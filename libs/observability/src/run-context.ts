import type { MiddlewareObj } from '@middy/core';
import { z } from 'zod';
import type { Observability } from './create-observability';
import type { LambdaContext } from './lambda-context';

/** Keys that tie a log line, metric record or trace to one run. */
export const RUN_ID_KEYS = ['run_id', 'execution_arn', 'source_file_id'] as const;

/** The run ids found in a state input; any of them may be absent. */
export type RunIds = Partial<Record<(typeof RUN_ID_KEYS)[number], string>>;

const IdSchema = z.string().min(1).optional().catch(undefined);
const RunIdsSchema = z
  .object({ run_id: IdSchema, execution_arn: IdSchema, source_file_id: IdSchema })
  .catch({ run_id: undefined, execution_arn: undefined, source_file_id: undefined });

/**
 * Read the run ids from a Task's event: `run_id` and `execution_arn` from `event.run` (the run
 * context every Task of the row pipeline gets), `source_file_id` from the first section of the
 * event that names it (planning's, enrichment's — or a whole state's, as `ReportRun` gets it under
 * `state`), else from the top level of the event (some events pass them flat). No list of sections
 * to keep up to date: any section that carries the source file's id is found. Keys that are missing
 * or not non-empty strings are left out; an event with no run context (an SQS batch, say) gives `{}`.
 */
export function readRunIds(event: unknown): RunIds {
  if (!isRecord(event)) return {};
  const values = Object.values(event).filter(isRecord);
  const sections = [
    RunIdsSchema.parse(event['run']),
    RunIdsSchema.parse(event),
    ...values.map((section) => RunIdsSchema.parse(section)),
    ...values.flatMap((section) => Object.values(section).filter(isRecord)).map((section) => RunIdsSchema.parse(section)),
  ];
  const ids: RunIds = {};
  for (const key of RUN_ID_KEYS) {
    // The run's own ids only from the run context or the top level; the source file's from any section.
    const from = key === 'source_file_id' ? sections : sections.slice(0, 2);
    const value = from.find((section) => section[key] !== undefined)?.[key];
    if (value !== undefined) ids[key] = value;
  }
  return ids;
}

/**
 * Middleware that ties everything an invocation emits to its run: `run_id`, `execution_arn` and
 * `source_file_id` become persistent keys of every log line; `run_id` and `execution_arn` become
 * metric metadata (not dimensions: one value per run would explode CloudWatch cardinality);
 * `run_id` becomes a trace annotation.
 *
 * The keys are removed before and after each invocation, so a warm container never stamps one
 * run's ids on the next invocation's output.
 */
export function runContext(obs: Observability): MiddlewareObj<unknown, unknown, Error, LambdaContext> {
  const { logger, metrics, tracer } = obs;
  const clear = (): void => {
    logger.removePersistentKeys([...RUN_ID_KEYS]);
  };
  return {
    before: (request) => {
      clear();
      const run = readRunIds(request.event);
      if (Object.keys(run).length === 0) return;
      logger.appendPersistentKeys(run);
      if (run.run_id !== undefined) {
        metrics.addMetadata('run_id', run.run_id);
        tracer.putAnnotation('run_id', run.run_id);
      }
      if (run.execution_arn !== undefined) metrics.addMetadata('execution_arn', run.execution_arn);
    },
    after: clear,
    onError: clear,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

import { z } from 'zod';
import { QuarantineByReasonSchema, RunCountsSchema, RunModeSchema, SourceObjectSchema } from './run-context';
import { RunIdSchema } from './run-id';

/*
 * The "run blocked by the promotion gate" event. The pipeline publishes it itself (a blocked run
 * ends its execution successfully, so no Step Functions status event reports it), shaped as an
 * EventBridge event so that the SNS topic `etl-failures` carries one message shape: an
 * EventBridge event JSON, whether EventBridge or the pipeline put it there.
 */

/** `source` of the run-blocked event. */
export const RUN_BLOCKED_SOURCE = 'ledgerlake.promotion';

/** `detail-type` of the run-blocked event. */
export const RUN_BLOCKED_DETAIL_TYPE = 'LedgerLake Run Blocked';

/** What the gate knew when it blocked the run. */
export const RunBlockedDetailSchema = z.object({
  run_id: RunIdSchema,
  execution_arn: z.string().min(1),
  execution_name: z.string().min(1),
  dataset: z.string().min(1),
  mode: RunModeSchema,
  /** The Bronze object of the run. */
  source: SourceObjectSchema,
  source_file_id: z.string().min(1).optional(),
  counts: RunCountsSchema,
  quarantine_by_reason: QuarantineByReasonSchema,
  condemned_by_reason: QuarantineByReasonSchema,
  /** Why the gate refused, one sentence each (threshold and measured value). */
  reasons: z.array(z.string().min(1)).min(1),
  blocked_at: z.iso.datetime(),
});
/** What the gate knew when it blocked the run. */
export type RunBlockedDetail = z.infer<typeof RunBlockedDetailSchema>;

/** The run-blocked event, in the EventBridge envelope. */
export const RunBlockedEventSchema = z.object({
  version: z.literal('0'),
  id: z.string().min(1),
  'detail-type': z.literal(RUN_BLOCKED_DETAIL_TYPE),
  source: z.literal(RUN_BLOCKED_SOURCE),
  account: z.string().min(1),
  time: z.iso.datetime(),
  region: z.string().min(1),
  /** The execution ARN. */
  resources: z.array(z.string()),
  detail: RunBlockedDetailSchema,
});
/** The run-blocked event. */
export type RunBlockedEvent = z.infer<typeof RunBlockedEventSchema>;

/** Wraps a blocked run's detail in the EventBridge envelope; region and account come from the execution ARN. */
export function runBlockedEvent(detail: RunBlockedDetail): RunBlockedEvent {
  const valid = RunBlockedDetailSchema.parse(detail);
  const [, , , region = '', account = ''] = valid.execution_arn.split(':');
  return RunBlockedEventSchema.parse({
    version: '0',
    id: `run-blocked-${valid.run_id}`,
    'detail-type': RUN_BLOCKED_DETAIL_TYPE,
    source: RUN_BLOCKED_SOURCE,
    account,
    time: valid.blocked_at,
    region,
    resources: [valid.execution_arn],
    detail: valid,
  });
}

/**
 * The Lambda functions of LedgerLake, by short name, in the order a run meets them (the failure
 * path's recorder, then the consumer the alerts reach). Deployed as `ledgerlake-<stage>-<name>`,
 * each from `apps/<name>` with its own `serverless.yml`; their log groups are what a run's Logs
 * Insights query reads.
 */
export const FUNCTION_NAMES = [
  'enrichment',
  'loop-prevention',
  'validation',
  'partition-writer',
  'promotion',
  'run-recorder',
  'alert-consumer',
] as const;

/** A function's short name. */
export type FunctionName = (typeof FUNCTION_NAMES)[number];

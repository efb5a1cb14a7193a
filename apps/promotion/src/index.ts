/** Public API of the promotion function: the handler factory (for the local runner) and the cores. */
export { PromotionConfigSchema, type PromotionConfig } from './config';
export { createHandler, type PromotionHandlerDeps } from './create-handler';
export { evaluateGate } from './gate';
export { GOLD_CARRY_FORWARD_MONTHS, refreshGold, type GoldDeps } from './gold';
export { athenaQuery, AthenaQueryError, type AthenaQueryOptions, type AthenaQueryResult, athenaStatements, type AthenaPolling } from './athena-statements';
export { AthenaGoldEngine, type AthenaGoldEngineOptions, type AthenaStatements, GOLD_BUILD_PREFIX } from './gold-athena';
export { DuckDbGoldEngine, type DuckDbGoldEngineOptions } from './gold-duckdb';
export type { GoldBuildRequest, GoldBuildResult, GoldEngine, GoldTableOutput } from './gold-engine';
export { ACCOUNT_BALANCES_COLUMNS, MONTHLY_REPORTS_COLUMNS } from './gold-tables';
export {
  beginPromotion,
  commitPromotion,
  completePromotion,
  gateRun,
  promoteRun,
  recoverPromotions,
  type RecoveryResult,
  readRunManifest,
  restorePartition,
  type PromotionDeps,
  type RestoreResult,
} from './promote-run';
export { PromotionEventSchema, runPromotionStep, type PromotionStepDeps } from './steps';
export { restoreMonth, type RestoreMonthOutcome, type RestoreMonthRequest, RestoreMonthRequestSchema } from './restore-month';

/*
 * The commands' modules (the functions, Parquet, the state machine runner, the AWS SDK) load only
 * when a command runs, so that `--help` and usage errors answer without loading them: every
 * command imports its modules through these.
 */
export const loadIngest = () => import('./ingest');
export const loadInputFiles = () => import('./input-files');
export const loadLake = () => import('./local-lake');
export const loadLakeFolder = () => import('./lake-folder');
export const loadLogs = () => import('./logs');
export const loadProgress = () => import('./progress');
export const loadSummary = () => import('./summary');
export const loadWatch = () => import('./watch');
export const loadQuery = () => import('./query');
export const loadSqlOutput = () => import('./sql-output');
export const loadBalancesReport = () => import('./balances-report');
export const loadPromote = () => import('./promote');
export const loadHistory = () => import('./partition-history');
export const loadAlerts = () => import('./local-alerts');
export const loadSettings = () => import('./local-settings');
export const loadRunbook = () => import('./runbook');
export const loadRetry = () => import('./retry');
export const loadRunDetail = () => import('./run-detail');
export const loadRecover = () => import('./recover');
export const loadInterrupts = () => import('./interrupts');
export const loadTarget = () => import('./target');
export const loadStageLake = () => import('./stage-lake');
export const loadCloudRuns = () => import('./cloud-runs');
export const loadBronze = () => import('./bronze');
export const loadStageLogs = () => import('./stage-logs');
export const loadStageSql = () => import('./stage-sql');
export const loadStageRuns = () => import('./stage-runs');
export const loadRunReport = () => import('./run-report');

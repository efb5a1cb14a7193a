import { checkRunId, readLogRecords, requireKnownRun } from '@ledgerlake/runbook';
import { CliError, EXIT } from './cli-error';
import type { LocalLake } from './lake-folder';

/** Log levels in increasing severity; `--level L` shows L and above. EMF metric records have none. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'] as const;

/** Filters of `ledgerlake logs`. */
export interface LogFilter {
  /** Minimum level; metric records are left out when given. */
  readonly level?: string;
  /** Function (Powertools `service`), short (`validation`) or full (`ledgerlake-local-validation`). */
  readonly function?: string;
}

/** Fields every Powertools line carries: shown in the columns, or the same on every line of a run. */
const COMMON_FIELDS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'run_id',
  'execution_arn',
  'source_file_id',
  'sampling_rate',
  'xray_trace_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'timezone',
]);

/**
 * Checks a `logs` request: the run id's form (`RunbookError` invalid-run-id) and the level's name
 * (a `CliError`, exit 2). Returns the test a record must pass (`--level`: that level and above, metric records
 * left out), the same on a lake folder and on a stage.
 */
export function checkLogRequest(runId: string, filter: LogFilter): (record: Record<string, unknown>) => boolean {
  checkRunId(runId);
  const minLevel = filter.level === undefined ? undefined : levelRank(filter.level.toUpperCase());
  if (filter.level !== undefined && minLevel === undefined) {
    throw new CliError(`Unknown log level ${filter.level} (expected one of ${LOG_LEVELS.join(', ')}).`, EXIT.usage);
  }
  return (record) => {
    if (minLevel === undefined) return true;
    const rank = typeof record['level'] === 'string' ? levelRank(record['level']) : undefined;
    return rank !== undefined && rank >= minLevel;
  };
}

/** The levels from `level` up (`WARN` → WARN, ERROR, CRITICAL): what a stage's query keeps. */
export function levelsFrom(level: string): readonly string[] {
  return LOG_LEVELS.slice(levelRank(level.toUpperCase()) ?? 0);
}

/** The run's records after the filters; an unknown run or level is a `CliError`. */
export async function runLogs(lake: LocalLake, runId: string, filter: LogFilter): Promise<Record<string, unknown>[]> {
  const keep = checkLogRequest(runId, filter);
  const records = await readLogRecords(lake, await requireKnownRun(lake, runId));
  if (records === undefined) throw new CliError(`Run ${runId} has no log yet: a run writes its log when it ends (see \`ledgerlake runs show ${runId}\`).`);
  return records.filter((record) => (filter.function === undefined || matchesFunction(record, filter.function)) && keep(record));
}

/** One readable line: time, level, function, message, then the line's own fields as `key=value`. */
export function formatLogRecord(record: Record<string, unknown>): string {
  const isMetric = typeof record['_aws'] === 'object' && record['_aws'] !== null;
  const time = isMetric ? emfTime(record) : String(record['timestamp'] ?? '');
  const level = isMetric ? 'METRIC' : String(record['level'] ?? '');
  const service = String(record['service'] ?? '');
  const message = isMetric ? emfMetrics(record) : String(record['message'] ?? '');
  const fields = isMetric
    ? []
    : Object.entries(record)
        .filter(([key]) => !COMMON_FIELDS.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time.padEnd(24), level.padEnd(6), service.padEnd(16), message, ...fields].join('  ').trimEnd();
}

function matchesFunction(record: Record<string, unknown>, name: string): boolean {
  const service = record['service'];
  return service === name || `ledgerlake-local-${String(service)}` === name || record['function_name'] === name;
}

function levelRank(level: string): number | undefined {
  const rank = (LOG_LEVELS as readonly string[]).indexOf(level);
  return rank < 0 ? undefined : rank;
}

function emfTime(record: Record<string, unknown>): string {
  const stamp = (record['_aws'] as { Timestamp?: unknown }).Timestamp;
  return typeof stamp === 'number' ? new Date(stamp).toISOString() : '';
}

/** `InputRows=8 ValidRows=8 …`: the record's metric values, by the names its EMF directive declares. */
function emfMetrics(record: Record<string, unknown>): string {
  const directives = (record['_aws'] as { CloudWatchMetrics?: { Metrics?: { Name?: unknown }[] }[] }).CloudWatchMetrics;
  const names = (directives ?? []).flatMap((directive) => (directive.Metrics ?? []).map((metric) => String(metric.Name)));
  return names.map((name) => `${name}=${JSON.stringify(record[name])}`).join(' ');
}

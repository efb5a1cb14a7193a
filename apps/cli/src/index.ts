/**
 * Public API of the local command line: the command itself, and for other composition roots (the
 * benchmark, the deploy checks' access recording) the local runner and the runbook commands that
 * start retry (quarantine retry, condemned approve) and backfill runs.
 */
export type { CliIo, CliOutput } from './cli-io';
export { main, runFromProcess } from './main';
export { type IngestOutcome, type IngestOptions, runBronzeObject } from './ingest';
export { checkInputFiles } from './input-files';
export { type LocalLake, openLake } from './lake-folder';
export { COMMAND_STORE, type LocalWiring, localDefinition, STATE_MACHINE_STORE } from './local-lake';
export { operatorFor } from './retry';
export { backfillInput } from './runbook';

/** Public API of the local command line: the command itself, and the local runner for other composition roots (the benchmark). */
export { main, runFromProcess, type CliIo, type CliOutput } from './main';
export { type IngestOutcome, type IngestOptions, runBronzeObject } from './ingest';
export { type LocalLake, type LocalWiring, localDefinition, openLake } from './local-lake';

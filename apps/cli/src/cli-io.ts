import type { SignalSource } from './interrupts';
import type { LocalWiring } from './local-lake';
import type { AwsClients } from './stage-lake';

/** A stream the command writes to (process.stdout / stderr, or a capture in tests). */
export interface CliOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width (the progress line is cut to fit). */
  readonly columns?: number;
}

/** The command's world: its output streams, environment, working directory and clock. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Fault injection and retry timing of the runs (tests); default the real wiring. */
  readonly wiring?: LocalWiring;
  /** Stops `watch` (tests); without it, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  /** Where `ingest` gets SIGINT and SIGTERM from, and how it exits at once on a second one; default `process`. */
  readonly process?: SignalSource;
  /** The AWS clients a `--stage` command makes (tests point them at local servers); default the SDK's. */
  readonly aws?: AwsClients;
}

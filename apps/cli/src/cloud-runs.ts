import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  type ExecutionListItem,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  type SFNClientConfig,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { RunStateSchema } from '@ledgerlake/contract';
import { readRunRecord } from '@ledgerlake/ledgers';
import type { ObjectRef } from '@ledgerlake/storage';
import { CliError } from './cli-error';
import { newRunId, type RunRequest } from '@ledgerlake/runbook';
import { countsOf, type IngestOutcome, type RunStarter } from './ingest';
import type { LocalLake } from './lake-folder';
import { writtenReport } from './run-report';
import { awsClientConfig, describeStage, describeStageError, type StageTarget } from './stage-lake';
import { stageResources } from './stage-names';

/*
 * Runs on a deployed stage (docs/deploy.md, "Operating a stage from the command line"): a runbook
 * command (retry, approval, backfill, re-run) lands its file and records in the stage's buckets as
 * on a lake folder, then starts the run through the stage's starter state machine — the one
 * trigger path, which names the row-pipeline execution after the run id — and follows that
 * execution to its end. The outcome is read back from what the run left (its run record; a
 * skipped run's execution output), the same fields `ingest --json` prints locally.
 */

/** The Step Functions client a stage command uses; tests point it elsewhere. */
export type SfnClientFactory = (config: SFNClientConfig) => SFNClient;

/** How a stage's runs are started and followed. */
export interface CloudRunOptions {
  readonly target: StageTarget;
  readonly sfn?: SfnClientFactory;
  /** Milliseconds between two looks at the execution; default 2 s. */
  readonly pollMs?: number;
  /** Told how the execution stands at each look (the command draws its progress line); `''` once it has ended. */
  readonly onProgress?: (line: string) => void;
  /** How long to wait for the starter to start the execution; default 5 minutes. */
  readonly startTimeoutMs?: number;
}

/** How a stage's runs are started, found and followed: one Step Functions client for a command. */
export interface CloudRuns {
  /** Starts a run through the starter, named with the run id, and follows it to its end. */
  readonly start: RunStarter;
  /** Follows the run the Bronze Object Created rule starts for a file `ingest` landed (the starter names it). */
  readonly followLanded: RunStarter;
  /** The row pipeline's executions, newest first (up to `limit`). */
  readonly executions: (limit: number) => Promise<readonly ExecutionListItem[]>;
  /** One run's execution; `undefined` when the pipeline has none of that name. */
  readonly execution: (runId: string) => Promise<DescribeExecutionCommandOutput | undefined>;
  /**
   * Runs one of the starter's operations (`{restore}`, `{recover}`: infra/starter.asl.json) as
   * execution `name` and resolves to its result; the function's error is a `StageOperationError`.
   */
  readonly operate: (name: string, input: Record<string, unknown>) => Promise<unknown>;
}

/** The error an operation of the starter ended with in the promotion function: its name and message. */
export class StageOperationError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** The message of a Lambda error as Step Functions passes it on (the cause is the function's `{errorType, errorMessage}` JSON). */
function lambdaErrorMessage(cause: string | undefined): string {
  if (cause === undefined) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not the function's JSON: the cause as it is.
  }
  return cause;
}

/** A `RunStarter` that runs on the stage's state machine. */
export function cloudRunStarter(options: CloudRunOptions): RunStarter {
  return cloudRuns(options).start;
}

/** The runs of a stage, through its state machines. */
export function cloudRuns(options: CloudRunOptions): CloudRuns {
  const { target } = options;
  const config = awsClientConfig(target);
  const client = options.sfn?.(config) ?? new SFNClient(config);
  const pollMs = options.pollMs ?? 2000;
  const startTimeoutMs = options.startTimeoutMs ?? 300_000;
  let arns: Promise<{ pipeline: string; starter: string }> | undefined;
  const machines = () => (arns ??= findStateMachines(client, target));
  const sleep = () => new Promise((resolve) => setTimeout(resolve, pollMs));
  const missing = (error: unknown) => error instanceof ExecutionDoesNotExist || (error as { name?: string }).name === 'ExecutionDoesNotExist';
  /** One Step Functions request; a failure is one sentence naming the stage, the state machine and what to do. */
  const send = <T>(request: Promise<T>, machine: string): Promise<T> =>
    request.catch((error: unknown) => {
      if (missing(error)) throw error;
      throw new CliError(describeStageError(error, target, `state machine ${machine.split(':').at(-1) ?? machine}`));
    });
  /** An execution, or `undefined` while it does not exist (yet). */
  const describe = async (executionArn: string) =>
    send(client.send(new DescribeExecutionCommand({ executionArn })), executionArn.split(':').slice(0, -1).join(':')).catch((error: unknown) => {
      if (missing(error)) return undefined;
      throw error;
    });
  const executionArnOf = (pipeline: string, runId: string) => `${pipeline.replace(':stateMachine:', ':execution:')}:${runId}`;

  /** Waits for an execution to exist and end, telling the progress line how it stands at each look. */
  const waitForEnd = async (executionArn: string, label: string, missing: () => CliError): Promise<DescribeExecutionCommandOutput> => {
    const t0 = Date.now();
    for (;;) {
      const execution = await describe(executionArn);
      const seconds = Math.round((Date.now() - t0) / 1000);
      options.onProgress?.(`${label} on stage ${target.stage}: ${execution?.status ?? 'STARTING'} ${seconds} s`);
      if (execution !== undefined && execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        // The execution has ended: the progress line goes away before the outcome is printed.
        options.onProgress?.('');
        return execution;
      }
      if (execution === undefined && Date.now() - t0 > startTimeoutMs) throw missing();
      await sleep();
    }
  };

  /** Follows run `runId`'s execution to its end (waiting for it to exist) and reads the outcome from what it left. */
  const follow = async (lake: LocalLake, source: ObjectRef, file: string, runId: string, request: Omit<RunRequest, 'runId'>, waitingFor: string): Promise<IngestOutcome> => {
    const { pipeline } = await machines();
    const t0 = Date.now();
    const execution = await waitForEnd(
      executionArnOf(pipeline, runId),
      `run ${runId}`,
      () => new CliError(`The starter of stage ${target.stage} did not start run ${runId} within ${Math.round(startTimeoutMs / 1000)} s: ${waitingFor}.`),
    );
    return outcomeOf(lake, { file, run_id: runId, source, duration_ms: Date.now() - t0, ...(request.rerun_of === undefined ? {} : { rerun_of: request.rerun_of }) }, execution);
  };

  return {
    start: async (lake, source, file, ingest) => {
      const { starter } = await machines();
      const { runId = newRunId(ingest.now()), mode = 'ingest', ...request } = ingest.run ?? {};
      // What the starter forwards (infra/starter.asl.json StartRun): every field the run's mode needs.
      const input = { dataset: lake.layout.dataset.path, mode, source, run_id: runId, ...request };
      await send(client.send(new StartExecutionCommand({ stateMachineArn: starter, name: runId, input: JSON.stringify(input) })), starter);
      return follow(lake, source, file, runId, request, `look at its execution ${runId} in ${starter}`);
    },
    followLanded: async (lake, source, file, ingest) => {
      const { starter } = await machines();
      const landedAt = ingest.now().getTime();
      const seen = new Set<string>();
      const t0 = Date.now();
      const where = `s3://${source.bucket}/${source.key}`;
      for (;;) {
        options.onProgress?.(`${where} on stage ${target.stage}: waiting for its run to start ${Math.round((Date.now() - t0) / 1000)} s`);
        const page = await send(client.send(new ListExecutionsCommand({ stateMachineArn: starter, maxResults: 50 })), starter);
        // Newest first; one started more than a minute before the upload (clock skew) is not this file's.
        for (const item of page.executions ?? []) {
          if (item.startDate !== undefined && item.startDate.getTime() < landedAt - 60_000) break;
          if (seen.has(item.executionArn ?? '') || item.executionArn === undefined) continue;
          const started = await describe(item.executionArn);
          if (started === undefined || started.status === 'RUNNING') continue;
          seen.add(item.executionArn);
          const asked = JSON.parse(started.input ?? '{}') as { source?: { key?: string } };
          if (asked.source?.key !== source.key) continue;
          const output = JSON.parse(started.output ?? '{}') as { run_id?: unknown; ignored?: unknown; reason?: unknown };
          if (started.status === 'SUCCEEDED' && typeof output.run_id === 'string') {
            return follow(lake, source, file, output.run_id, ingest.run ?? {}, `look at execution ${item.name ?? item.executionArn} in ${starter}`);
          }
          const why = typeof output.reason === 'string' ? output.reason : `it ended ${started.status ?? 'without a status'}${started.cause === undefined ? '' : `: ${started.cause}`}`;
          throw new CliError(`The starter of stage ${target.stage} started no run for ${where} (execution ${item.name ?? item.executionArn}): ${why}.`);
        }
        if (Date.now() - t0 > startTimeoutMs) {
          throw new CliError(
            `No run of stage ${target.stage} started for ${where} within ${Math.round(startTimeoutMs / 1000)} s: check the Bronze Object Created rule and the triggers' dead-letter queue (docs/deploy.md), or start it with \`ledgerlake ingest --force\`.`,
          );
        }
        await sleep();
      }
    },
    executions: async (limit) => {
      const { pipeline } = await machines();
      const items: ExecutionListItem[] = [];
      let nextToken: string | undefined;
      do {
        const page = await send(
          client.send(new ListExecutionsCommand({ stateMachineArn: pipeline, maxResults: Math.min(1000, limit - items.length), ...(nextToken === undefined ? {} : { nextToken }) })),
          pipeline,
        );
        items.push(...(page.executions ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined && items.length < limit);
      return items;
    },
    execution: async (runId) => describe(executionArnOf((await machines()).pipeline, runId)),
    operate: async (name, input) => {
      const { starter } = await machines();
      await send(client.send(new StartExecutionCommand({ stateMachineArn: starter, name, input: JSON.stringify(input) })), starter);
      const execution = await waitForEnd(executionArnOf(starter, name), `operation ${name}`, () => new CliError(`Execution ${name} of ${starter} never started.`));
      if (execution.status !== 'SUCCEEDED') {
        throw new CliError(`Operation ${name} on ${describeStage(target)} ended ${execution.status ?? 'without a status'}${execution.error === undefined ? '' : ` (${execution.error}${execution.cause === undefined ? '' : `: ${execution.cause}`})`}: look at execution ${name} of ${starter}.`);
      }
      const output = JSON.parse(execution.output ?? '{}') as { operation_failed?: { error?: string; cause?: string } };
      const failed = output.operation_failed;
      if (failed !== undefined) throw new StageOperationError(failed.error ?? 'Error', lambdaErrorMessage(failed.cause));
      return output;
    },
  };
}

/** How a run ended, from its run record, else (a skipped run) its execution's output, else the execution's own status. */
async function outcomeOf(
  lake: LocalLake,
  base: Pick<IngestOutcome, 'file' | 'run_id' | 'source' | 'duration_ms' | 'rerun_of'>,
  execution: DescribeExecutionCommandOutput,
): Promise<IngestOutcome> {
  const report = await writtenReport(lake, 'stage', base.run_id);
  return { ...(await recordedOutcome(lake, base, execution)), ...(report === undefined ? {} : { report }) };
}

/** The outcome from the run record (or, without one, the execution). */
async function recordedOutcome(
  lake: LocalLake,
  base: Pick<IngestOutcome, 'file' | 'run_id' | 'source' | 'duration_ms' | 'rerun_of'>,
  execution: DescribeExecutionCommandOutput,
): Promise<IngestOutcome> {
  const record = await readRunRecord(lake.store, lake.layout, base.run_id);
  if (execution.status === 'SUCCEEDED' && record === undefined) {
    const state = RunStateSchema.safeParse(JSON.parse(execution.output ?? '{}'));
    const prevented = state.success ? state.data.loop_prevention : undefined;
    if (prevented?.status === 'DUPLICATE_FILE') {
      return {
        ...base,
        status: 'SKIPPED',
        ...countsOf(state.success ? state.data : undefined),
        ...(prevented.duplicate_of === undefined ? {} : { duplicate_of: prevented.duplicate_of }),
        ...(prevented.duplicate_status === undefined ? {} : { duplicate_status: prevented.duplicate_status }),
      };
    }
  }
  if (record === undefined) {
    // An execution that ended past every Catch (timed out, aborted) leaves no record.
    return {
      ...base,
      status: 'FAILED',
      ...countsOf(undefined),
      error: { name: execution.error ?? `States.${execution.status ?? 'Unknown'}`, message: execution.cause ?? `the execution ended ${execution.status} without a run record`, state: null },
    };
  }
  const zero = countsOf(undefined);
  const counted = {
    counts: { ...zero.counts, ...record.counts },
    quarantine_by_reason: 'quarantine_by_reason' in record ? record.quarantine_by_reason : zero.quarantine_by_reason,
  };
  switch (record.status) {
    case 'PUBLISHED':
      return { ...base, status: 'PUBLISHED', ...counted, partitions: record.partitions };
    case 'BLOCKED':
      return { ...base, status: 'BLOCKED', ...counted, reasons: record.reasons };
    case 'CHECKED':
      return { ...base, status: 'CHECKED', ...counted, gate_decision: record.gate.decision, reasons: record.gate.reasons };
    case 'FAILED':
      return { ...base, status: 'FAILED', ...counted, error: { name: record.error, message: record.cause, state: record.failed_state ?? null } };
    case 'INTERRUPTED':
      return { ...base, status: 'INTERRUPTED', ...counted };
  }
}

/** The stage's row pipeline and starter, found by their names (infra/serverless.yml). */
async function findStateMachines(client: SFNClient, target: StageTarget): Promise<{ pipeline: string; starter: string }> {
  const names = stageResources(target.stage);
  const found = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ ...(nextToken === undefined ? {} : { nextToken }) })).catch((error: unknown) => {
      throw new CliError(describeStageError(error, target, `the state machines ${names.pipeline}, ${names.starter}`));
    });
    for (const machine of page.stateMachines ?? []) if (machine.name !== undefined && machine.stateMachineArn !== undefined) found.set(machine.name, machine.stateMachineArn);
    nextToken = page.nextToken;
  } while (nextToken !== undefined && !(found.has(names.pipeline) && found.has(names.starter)));
  const pipeline = found.get(names.pipeline);
  const starter = found.get(names.starter);
  if (pipeline === undefined || starter === undefined) {
    const missing = [pipeline === undefined ? names.pipeline : undefined, starter === undefined ? names.starter : undefined].filter(Boolean).join(' and ');
    throw new CliError(
      `${describeStage(target, 'Stage')} has no state machine ${missing}: deploy its infra (docs/deploy.md, "First deploy of a stage") or check --region.`,
    );
  }
  return { pipeline, starter };
}

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  ListStateMachinesCommand,
  SFNClient,
  type SFNClientConfig,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DATASET, formatRunId } from '@ledgerlake/domain';
import { readRunRecord, RunStateSchema } from '@ledgerlake/pipeline';
import type { ObjectRef } from '@ledgerlake/storage';
import { CliError } from './cli-error';
import { countsOf, type IngestOptions, type IngestOutcome, randomSuffix, type RunStarter } from './ingest';
import type { LocalLake } from './local-lake';
import { awsClientConfig, describeStage, type StageTarget } from './stage-lake';

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

/** The names infra gives a stage's state machines. */
export function stageStateMachineNames(stage: string): { readonly pipeline: string; readonly starter: string } {
  return { pipeline: `ledgerlake-${stage}`, starter: `ledgerlake-${stage}-starter` };
}

/** A `RunStarter` that runs on the stage's state machine. */
export function cloudRunStarter(options: CloudRunOptions): RunStarter {
  const { target } = options;
  const config = awsClientConfig(target);
  const client = options.sfn?.(config) ?? new SFNClient(config);
  const pollMs = options.pollMs ?? 2000;
  const startTimeoutMs = options.startTimeoutMs ?? 300_000;
  let arns: Promise<{ pipeline: string; starter: string }> | undefined;

  return async (lake: LocalLake, source: ObjectRef, file: string, ingest: IngestOptions): Promise<IngestOutcome> => {
    arns ??= findStateMachines(client, target);
    const { pipeline, starter } = await arns;
    const started = ingest.now();
    const { runId = formatRunId(started, randomSuffix()), mode = 'ingest', ...request } = ingest.run ?? {};
    // What the starter forwards (infra/starter.asl.json StartRun): every field the run's mode needs.
    const input = { dataset: DATASET, mode, source, run_id: runId, ...request };
    await client.send(new StartExecutionCommand({ stateMachineArn: starter, name: runId, input: JSON.stringify(input) }));
    const executionArn = `${pipeline.replace(':stateMachine:', ':execution:')}:${runId}`;
    const t0 = Date.now();
    let execution: DescribeExecutionCommandOutput | undefined;
    for (;;) {
      execution = await client.send(new DescribeExecutionCommand({ executionArn })).catch((error: unknown) => {
        if (error instanceof ExecutionDoesNotExist || (error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
        throw error;
      });
      const seconds = Math.round((Date.now() - t0) / 1000);
      options.onProgress?.(`run ${runId} on stage ${target.stage}: ${execution?.status ?? 'STARTING'} ${seconds} s`);
      if (execution !== undefined && execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') break;
      if (execution === undefined && Date.now() - t0 > startTimeoutMs) {
        throw new CliError(
          `The starter of stage ${target.stage} did not start run ${runId} within ${Math.round(startTimeoutMs / 1000)} s: look at its execution ${runId} in ${starter}.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    // The execution has ended: the progress line goes away before the outcome is printed.
    options.onProgress?.('');
    const duration_ms = Date.now() - t0;
    const base = {
      file,
      run_id: runId,
      source,
      duration_ms,
      ...(request.rerun_of === undefined ? {} : { rerun_of: request.rerun_of }),
    };
    const record = await readRunRecord(lake.store, lake.layout, runId);
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
  };
}

/** The stage's row pipeline and starter, found by their names (infra/serverless.yml). */
async function findStateMachines(client: SFNClient, target: StageTarget): Promise<{ pipeline: string; starter: string }> {
  const names = stageStateMachineNames(target.stage);
  const found = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ ...(nextToken === undefined ? {} : { nextToken }) }));
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

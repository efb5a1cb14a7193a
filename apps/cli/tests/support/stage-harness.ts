import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import type { CatalogPartition, PartitionCatalog } from '@ledgerlake/lake';
import type { LocalRunResult } from '@ledgerlake/state-machine';
import { createLakeLayout, LAKE_BUCKET_NAMES, type LakeLayout, listAll, type ObjectStore, stageBuckets } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { startS3rver, type S3rverHandle } from '@ledgerlake/testing';
import { mockClient } from 'aws-sdk-client-mock';
import jsonata from 'jsonata';
import { type IngestOutcome, runBronzeObject } from '../../src/ingest';
import type { LocalLake } from '../../src/lake-folder';
import { createFunctionHandler, localDefinition, localGoldEngine } from '../../src/local-lake';
import type { CliIo } from '../../src/cli-io';
import { wiringFromEnv } from '../../src/local-settings';
import { REPO, runCli } from './cli-harness';

const DATASET = TRANSACTIONS_DATASET.path;

/*
 * A deployed stage for the command line's tests: its five buckets in s3rver; Step Functions through
 * aws-sdk-client-mock, where
 * - StartExecution of the starter evaluates the starter's own StartRun (infra/starter.asl.json: the
 *   execution's name and input, as Step Functions would) and runs the real row-pipeline definition
 *   with the real handlers over those buckets, as the stage would;
 * - the Bronze Object Created rule is emulated: every object that appears in Bronze starts one
 *   starter execution with the rule's input, through the starter's own IsLandedFile choices (a
 *   runbook file ends as RunbookFile, a landed file starts a run named as StartRun names it);
 * - the starter's operations (restore, recover) invoke the real promotion handler over those
 *   buckets, with the starter's own Payload, Output and Catch;
 * - DescribeExecution and ListExecutions answer from those executions.
 */

export const STAGE = 'test';
export const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
export const PIPELINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-${STAGE}`;
export const STARTER_ARN = `${PIPELINE_ARN}-starter`;
const executionArn = (machine: string, name: string) => `${machine.replace(':stateMachine:', ':execution:')}:${name}`;

type Json = Record<string, unknown>;
type StarterState = {
  Type: string;
  Resource?: string;
  Choices?: { Condition: string; Next: string }[];
  Default?: string;
  Output?: string;
  Arguments?: { Name: string; Input: string; FunctionName: string; Payload: string };
  Catch?: { ErrorEquals: string[]; Output: string; Next: string }[];
  Next?: string;
};
const STARTER = JSON.parse(readFileSync(join(REPO, 'infra/starter.asl.json'), 'utf8')) as { StartAt: string; States: Record<string, StarterState> };

/** One execution of either state machine, as the mock answers for it. */
interface Execution {
  readonly machine: string;
  readonly name: string;
  readonly input: Json;
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  readonly startDate: Date;
  stopDate?: Date;
}

/** A starter expression (`{% … %}`) evaluated as Step Functions evaluates it. */
async function evaluate(field: string, input: unknown, more: { result?: unknown; errorOutput?: unknown; executionId?: string } = {}): Promise<unknown> {
  const { executionId, ...rest } = more;
  const value: unknown = await jsonata(field.slice(2, -2)).evaluate({}, {
    states: { input, ...rest, context: { State: { EnteredTime: new Date().toISOString() }, Execution: { Id: executionId ?? '' } } },
    uuid: () => `${Math.random().toString(16).slice(2, 10)}-d9cb-469f-a165-70867728950e`,
  });
  return JSON.parse(JSON.stringify(value ?? null));
}

/** The stage a test drives. */
export interface StageHarness {
  readonly s3: S3rverHandle;
  readonly work: string;
  readonly lake: LocalLake;
  readonly layout: LakeLayout;
  readonly sfn: ReturnType<typeof mockClient>;
  /** Every StartExecution of the starter the command line made: its name, its input, what the starter passed on. */
  readonly started: { name: string; input: Json; pipelineInput: Json }[];
  /** Every execution, both machines, oldest first. */
  readonly executions: Execution[];
  /** The AWS clients of a command on the stage (Athena and CloudWatch Logs added by a test). */
  io(extra?: Partial<NonNullable<CliIo['aws']>>): Partial<CliIo>;
  /** `ledgerlake ARGV --stage test`. */
  cli(argv: readonly string[], extra?: Partial<NonNullable<CliIo['aws']>>): ReturnType<typeof runCli>;
  /**
   * Lands `body` at a Bronze key and runs it as the stage would (the rule fired; not through the
   * command line); `faults` wraps the store its functions use (a crash, a full disk).
   */
  landAndRun(name: string, body: string, ingestDate?: string, faults?: (store: ObjectStore) => ObjectStore): Promise<IngestOutcome>;
  /** An execution of the pipeline still running, that has left nothing in the lake. */
  running(name: string): void;
  /** Re-arms the mock after a test changed it (`beforeEach`). */
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts s3rver with the stage's buckets and the Step Functions mock. `functionEnv`: the functions'
 * settings as the stage's deployment sets them (e.g. the breaker's thresholds).
 */
export async function startStage(functionEnv: NodeJS.ProcessEnv = {}): Promise<StageHarness> {
  const s3 = await startS3rver();
  const layout = createLakeLayout(stageBuckets(`ledgerlake-${STAGE}`));
  for (const name of LAKE_BUCKET_NAMES) await s3.createBucket(layout.buckets[name]);
  const work = await mkdtemp(join(tmpdir(), 'ledgerlake-stage-'));
  const lake: LocalLake = { root: work, store: new S3ObjectStore(s3.createClient()), layout };
  const registered = new Map<string, CatalogPartition>();
  const catalog: PartitionCatalog = {
    registerPartition: async (entry) => void registered.set(`${entry.table} ${entry.partition}`, entry),
    registeredVersion: async (table, month) => registered.get(`${table} ${month.year}-${String(month.month).padStart(2, '0')}`)?.version,
  };
  const sfn = mockClient(SFNClient);
  const started: StageHarness['started'] = [];
  const executions: Execution[] = [];
  /** Bronze keys the emulated rule has seen (or a test landed without it). */
  const triggered = new Set<string>();

  /** The row pipeline, started as the starter's StartRun would start it. */
  const functionWiring = wiringFromEnv(functionEnv, { catalog, gold: (store) => localGoldEngine(lake, store) });
  const runPipeline = async (name: string, input: Json, faults?: (store: ObjectStore) => ObjectStore): Promise<IngestOutcome> => {
    const execution: Execution = { machine: PIPELINE_ARN, name, input, status: 'RUNNING', startDate: new Date() };
    executions.push(execution);
    const { mode, source, backfill_month, approval_id, rerun_of } = input as {
      mode: 'ingest' | 'retry' | 'backfill';
      source: { bucket: string; key: string };
      backfill_month?: string;
      approval_id?: string;
      rerun_of?: string;
    };
    let ended: LocalRunResult | undefined;
    const outcome = await runBronzeObject(lake, source, source.key, {
      definition: localDefinition(),
      now: () => new Date(),
      wiring: faults === undefined ? functionWiring : { ...functionWiring, retryIntervalMs: 0, storeFor: (_fn, store) => faults(store) },
      run: { runId: name, mode, ...(backfill_month === undefined ? {} : { backfill_month }), ...(approval_id === undefined ? {} : { approval_id }), ...(rerun_of === undefined ? {} : { rerun_of }) },
      onExecutionEnded: (result) => void (ended = result),
    });
    execution.stopDate = new Date();
    if (ended?.status === 'SUCCEEDED') {
      execution.status = 'SUCCEEDED';
      execution.output = ended.output;
    } else {
      execution.status = 'FAILED';
      execution.error = ended?.status === 'FAILED' ? ended.error : 'States.Aborted';
    }
    return outcome;
  };

  /** The promotion function as the starter's operations invoke it: its real handler over the stage's buckets. */
  const promotion = createFunctionHandler('promotion', lake, () => undefined, functionWiring);
  const lambdaContext = (name: string) => ({
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Date.now()}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 900_000,
  });

  /** The starter on one request, state by state: its choices, StartRun, its operations' Lambda Tasks (with their Catch), a Succeed's output. */
  const runStarter = async (name: string, input: Json): Promise<Execution> => {
    const execution: Execution = { machine: STARTER_ARN, name, input, status: 'RUNNING', startDate: new Date() };
    executions.push(execution);
    const executionId = executionArn(STARTER_ARN, name);
    let state = STARTER.StartAt;
    let stateInput: unknown = input;
    for (;;) {
      const at = STARTER.States[state] as StarterState;
      if (at.Type === 'Choice') {
        let next = at.Default as string;
        for (const choice of at.Choices ?? []) {
          if ((await evaluate(choice.Condition, stateInput)) === true) {
            next = choice.Next;
            break;
          }
        }
        state = next;
        continue;
      }
      if (state === 'StartRun') {
        const args = at.Arguments as { Name: string; Input: string };
        const runName = String(await evaluate(args.Name, input));
        const pipelineInput = (await evaluate(args.Input, input)) as Json;
        if (input['run_id'] !== undefined) started.push({ name, input, pipelineInput });
        // StartExecution returns once the execution exists; the test's pipeline runs to its end first.
        await runPipeline(runName, pipelineInput);
        execution.output = { run_id: runName, execution_arn: executionArn(PIPELINE_ARN, runName) };
      } else if (at.Type === 'Task' && at.Resource?.endsWith(':states:::lambda:invoke')) {
        const args = at.Arguments as { FunctionName: string; Payload: string };
        expect(args.FunctionName).toBe('arn:#{AWS::Partition}:lambda:#{AWS::Region}:#{AWS::AccountId}:function:ledgerlake-#{Stage}-promotion');
        const payload = await evaluate(args.Payload, stateInput, { executionId });
        try {
          const result = await promotion(payload, lambdaContext(`ledgerlake-${STAGE}-promotion`));
          execution.output = await evaluate(at.Output as string, stateInput, { result: { Payload: result, StatusCode: 200 } });
        } catch (error) {
          // As Step Functions passes a function's error on: its name, and the function's error JSON as the cause.
          const { name: errorType, message: errorMessage } = error as Error;
          const catcher = (at.Catch ?? [])[0] as { Output: string; Next: string };
          stateInput = await evaluate(catcher.Output, stateInput, { errorOutput: { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage }) } });
          state = catcher.Next;
          continue;
        }
      } else {
        execution.output = at.Output === undefined ? {} : await evaluate(at.Output, stateInput);
      }
      execution.status = 'SUCCEEDED';
      execution.stopDate = new Date();
      return execution;
    }
  };

  /** The Bronze Object Created rule: one starter execution per object not seen yet, with the rule's input. */
  const fireObjectCreated = async () => {
    for await (const object of listAll(lake.store, layout.buckets.bronze, `${DATASET}/`)) {
      const ref = { bucket: layout.buckets.bronze, key: object.key };
      if (triggered.has(ref.key)) continue;
      triggered.add(ref.key);
      const name = `${Date.now()}-${Math.random().toString(16).slice(2, 10)}`;
      await runStarter(name, { dataset: DATASET, mode: 'ingest', source: { bucket: ref.bucket, key: ref.key, version_id: '', etag: object.etag } });
    }
  };

  const reset = () => {
    sfn.reset();
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        { name: `ledgerlake-${STAGE}`, stateMachineArn: PIPELINE_ARN, type: 'STANDARD', creationDate: new Date() },
        { name: `ledgerlake-${STAGE}-starter`, stateMachineArn: STARTER_ARN, type: 'STANDARD', creationDate: new Date() },
      ],
    });
    sfn.on(StartExecutionCommand).callsFake(async (request: { stateMachineArn: string; name: string; input: string }) => {
      expect(request.stateMachineArn).toBe(STARTER_ARN);
      const execution = await runStarter(request.name, JSON.parse(request.input) as Json);
      return { executionArn: executionArn(STARTER_ARN, execution.name), startDate: execution.startDate };
    });
    sfn.on(DescribeExecutionCommand).callsFake(async ({ executionArn: arn }: { executionArn: string }) => {
      await fireObjectCreated();
      const execution = executions.find((e) => executionArn(e.machine, e.name) === arn);
      if (execution === undefined) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${arn}'`, $metadata: {} });
      return {
        executionArn: arn,
        stateMachineArn: execution.machine,
        name: execution.name,
        status: execution.status,
        input: JSON.stringify(execution.input),
        startDate: execution.startDate,
        ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
        ...(execution.output === undefined ? {} : { output: JSON.stringify(execution.output) }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
      };
    });
    sfn.on(ListExecutionsCommand).callsFake(async ({ stateMachineArn, maxResults }: { stateMachineArn: string; maxResults?: number }) => {
      await fireObjectCreated();
      const items = executions
        .filter((e) => e.machine === stateMachineArn)
        .reverse()
        .slice(0, maxResults ?? 100)
        .map((e) => ({
          executionArn: executionArn(e.machine, e.name),
          stateMachineArn: e.machine,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate }),
        }));
      return { executions: items };
    });
  };
  reset();

  const io = (extra: Partial<NonNullable<CliIo['aws']>> = {}): Partial<CliIo> => ({
    aws: {
      s3: () => s3.createClient(),
      sfn: () => new SFNClient({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }),
      pollMs: 5,
      ...extra,
    },
  });
  let landed = 0;
  return {
    s3,
    work,
    lake,
    layout,
    sfn,
    started,
    executions,
    io,
    cli: (argv, extra) => runCli([...argv, '--stage', STAGE], work, io(extra)),
    landAndRun: async (name, body, ingestDate = '2024-02-01', faults) => {
      const source = layout.bronze.file(ingestDate, name);
      triggered.add(source.key);
      await lake.store.put(source, body);
      landed += 1;
      return runPipeline(`${ingestDate.replaceAll('-', '')}T0900${String(landed).padStart(2, '0')}Z`, { dataset: DATASET, mode: 'ingest', source }, faults);
    },
    running: (name) => void executions.push({ machine: PIPELINE_ARN, name, input: {}, status: 'RUNNING', startDate: new Date() }),
    reset,
    stop: async () => {
      sfn.restore();
      await s3.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

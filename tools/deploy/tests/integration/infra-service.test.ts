import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_QUALITY_POLICY, type ExactRate, RunContextSchema, RunIdSchema, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import { type AslDefinition, loadDefinition, rawDefinition, taskFunctions } from '@ledgerlake/state-machine';
import { starterName } from '@ledgerlake/alert-consumer';
import { PromotionEventSchema } from '@ledgerlake/promotion';
import { createLakeLayout, isRunbookFileName, parseBronzeKey, stageBuckets } from '@ledgerlake/storage';
import aslValidator from 'asl-validator';
import jsonata from 'jsonata';
import { WORKSPACE_ROOT } from '../../src/function-services';
import { asList, isAllowed, type PolicyStatement, roleStatements } from '../../src/iam-policy';
import { deploymentBucketFindings } from '../../src/deployment-bucket';
import { copyInfraService, QUALITY_POLICY_DEFAULTS, ROW_PIPELINE_DEFINITION } from '../../src/infra-service';
import { type CfnTemplate, packageService, readPackagedTemplate } from '../../src/package-service';

const DATASET = TRANSACTIONS_DATASET.path;

/*
 * Packages the infrastructure service (infra/serverless.yml, in a copy of the workspace's shape)
 * offline and checks the CloudFormation it would deploy against docs/contract/layout.md, docs/contract/tables.md, docs/contract/orchestration.md, docs/contract/alerts.md, docs/contract/deployment.md and the repo's
 * own definitions: the lake layout, the state machine file, the run-id rule, the alert path.
 */

const STAGE = 'ci';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const PACKAGING_TIMEOUT_MS = 120_000;
const buckets = stageBuckets(`ledgerlake-${STAGE}`);
const layout = createLakeLayout(buckets);
const TRAIL_BUCKET = `ledgerlake-${STAGE}-audit-trail`;
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-${STAGE}`;
/** The alert consumer's Lambda timeout the queue is sized for. */
const ALERT_CONSUMER_TIMEOUT_S = 30;

type Properties = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties?: Properties;
  readonly DependsOn?: string | string[];
}

const workDir = { path: '' };
let template: CfnTemplate;

beforeAll(async () => {
  workDir.path = await mkdtemp(join(tmpdir(), 'ledgerlake-infra-'));
  const dir = await copyInfraService(workDir.path);
  await packageService(dir, STAGE);
  template = await readPackagedTemplate(dir);
}, PACKAGING_TIMEOUT_MS);

afterAll(async () => {
  if (workDir.path !== '') await rm(workDir.path, { recursive: true, force: true });
});

function resource(id: string): Resource {
  const found = template.Resources[id] as Resource | undefined;
  if (found === undefined) throw new Error(`infra: the template has no resource ${id}`);
  return found;
}

function props(id: string): Properties {
  return resource(id).Properties ?? {};
}

function ofType(type: string): [string, Properties][] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** What CloudFormation would make of an `Fn::Sub` string, in the stage's region and a test account. */
function substitute(text: string): string {
  const values: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    Stage: STAGE,
  };
  return text.replace(/\$\{([^}!]+)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`infra: unknown Fn::Sub variable ${match}`);
    return value;
  });
}

/** A literal or a plain `Fn::Sub` string, resolved; anything else (Ref, GetAtt) is returned as is. */
/** A value with every `Fn::Sub` in it substituted as deployed (other intrinsics as they are). */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const sub = (value as { 'Fn::Sub'?: unknown })['Fn::Sub'];
  if (typeof sub === 'string') return substitute(sub);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
}

function statementsOf(roleId: string): PolicyStatement[] {
  return roleStatements(template, roleId).map((statement) => ({
    ...statement,
    Resource: asList<unknown>(statement.Resource as unknown[]).map(resolve),
  }));
}

function definitionOf(stateMachineId: string): AslDefinition {
  const definition = props(stateMachineId)['DefinitionString'] as { 'Fn::Sub': string };
  expect(typeof definition['Fn::Sub']).toBe('string');
  return JSON.parse(substitute(definition['Fn::Sub'])) as AslDefinition;
}

function bucketId(name: string): string {
  const found = ofType('AWS::S3::Bucket').find(([, p]) => p['BucketName'] === name);
  if (found === undefined) throw new Error(`infra: no bucket ${name}`);
  return found[0];
}

/** Evaluates a `{% ... %}` JSONata field as Step Functions would, with `$states` and `$uuid`. */
async function evaluateJsonata(field: unknown, states: Properties, uuid = '0f8fad5b-d9cb-469f-a165-70867728950e'): Promise<unknown> {
  const text = String(field);
  expect(text.startsWith('{%') && text.endsWith('%}')).toBe(true);
  const value: unknown = await jsonata(text.slice(2, -2)).evaluate({}, { states, uuid: () => uuid });
  // JSONata marks its result sequences; Step Functions hands on plain JSON.
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

const LAKE_BUCKETS = Object.entries(buckets) as [keyof typeof buckets, string][];
/** The layers that hold rows: Silver, Gold, Quarantine and the artifacts bucket (its work areas hold full row copies). */
const KMS_BUCKETS = new Set([buckets.silver, buckets.gold, buckets.quarantine, buckets.artifacts]);

describe('buckets', () => {
  it('names no partition literally: every ARN is built on AWS::Partition (aws-cn, aws-us-gov)', () => {
    expect(JSON.stringify(template).match(/arn:aws[a-z-]*:[^"]*/g) ?? []).toEqual([]);
  });

  it('the deployment bucket osls makes for the templates is versioned, encrypted, TLS-only and blocks public access', () => {
    expect(deploymentBucketFindings(template)).toEqual([]);
  });

  it.each([...LAKE_BUCKETS.map(([, name]) => name), TRAIL_BUCKET])('%s is versioned, owner-enforced and blocks public access', (name) => {
    const bucket = props(bucketId(name));

    expect(bucket['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(bucket['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it.each([...LAKE_BUCKETS.map(([, name]) => name), TRAIL_BUCKET])('%s is SSE-KMS with the data key for the layers that hold rows, SSE-S3 otherwise', (name) => {
    const encryption = props(bucketId(name))['BucketEncryption'] as {
      ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Properties }[];
    };
    const rules = encryption.ServerSideEncryptionConfiguration;

    expect(rules).toHaveLength(1);
    expect(rules[0]?.ServerSideEncryptionByDefault).toEqual(
      KMS_BUCKETS.has(name)
        ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] } }
        : { SSEAlgorithm: 'AES256' },
    );
  });

  it('the data key rotates and is the alias the function roles are scoped to', () => {
    expect(props('DataKey')['EnableKeyRotation']).toBe(true);
    expect(resource('DataKey').Type).toBe('AWS::KMS::Key');
    expect(props('DataKeyAlias')).toEqual({ AliasName: `alias/ledgerlake-${STAGE}-data`, TargetKeyId: { Ref: 'DataKey' } });
  });

  it.each([...LAKE_BUCKETS.map(([, name]) => name), TRAIL_BUCKET])('%s denies every request that is not TLS', (name) => {
    const id = bucketId(name);
    const policies = ofType('AWS::S3::BucketPolicy').filter(([, p]) => JSON.stringify(p['Bucket']) === JSON.stringify({ Ref: id }));
    const statements = policies.flatMap(([, p]) => resolve((p['PolicyDocument'] as { Statement: Properties[] }).Statement) as Properties[]);

    expect(policies).toHaveLength(1);
    expect(statements).toContainEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${name}`, `arn:aws:s3:::${name}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('Silver moves to a Glacier class after 90 days, for the whole bucket', () => {
    const rules = (props(bucketId(buckets.silver))['LifecycleConfiguration'] as { Rules: Properties[] }).Rules;
    const transition = rules.find((rule) => rule['Transitions'] !== undefined);

    expect(transition).toMatchObject({ Status: 'Enabled', Transitions: [{ TransitionInDays: 90 }] });
    expect(transition?.['Prefix'] ?? transition?.['Filter']).toBeUndefined();
    expect(String((transition?.['Transitions'] as Properties[])[0]?.['StorageClass'])).toMatch(/^GLACIER/);
  });

  it("a run's work area (full row copies, `work/<run_id>/`) expires a day after it was written, old versions and delete markers too", () => {
    const rules = (props(bucketId(buckets.artifacts))['LifecycleConfiguration'] as { Rules: Properties[] }).Rules;
    const work = layout.artifacts.workPrefix('20240105T090000Z-0123456789ab').prefix;
    const onWork = rules.filter((rule) => typeof rule['Prefix'] === 'string' && work.startsWith(rule['Prefix']));

    expect(onWork).toEqual([
      { Id: 'ExpireWorkAreas', Status: 'Enabled', Prefix: 'work/', ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
      { Id: 'RemoveWorkAreaDeleteMarkers', Status: 'Enabled', Prefix: 'work/', ExpiredObjectDeleteMarker: true },
    ]);
    // Nothing else in the bucket (run records, ledgers, control objects) is under that prefix.
    expect(layout.artifacts.runRecord('20240105T090000Z-0123456789ab').key.startsWith('work/')).toBe(false);
  });

  it('Quarantine and condemned rows go to Glacier after 5 years and are never expired', () => {
    const rules = (props(bucketId(buckets.quarantine))['LifecycleConfiguration'] as { Rules: Properties[] }).Rules;
    const transition = rules.find((rule) => rule['Transitions'] !== undefined);
    const expiring = rules.filter((rule) =>
      ['ExpirationInDays', 'ExpirationDate', 'NoncurrentVersionExpiration', 'NoncurrentVersionExpirationInDays'].some((key) => key in rule),
    );

    // No prefix or filter: the rule covers mortgages/transactions/ and condemned/ alike.
    expect(transition).toMatchObject({ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 1825 }] });
    expect(transition?.['Prefix'] ?? transition?.['Filter']).toBeUndefined();
    expect(expiring).toEqual([]);
  });

  it('Bronze sends its events to EventBridge', () => {
    expect(props(bucketId(buckets.bronze))['NotificationConfiguration']).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
  });
});

describe('the row-pipeline state machine', () => {
  it('deploys the repo file as is: the definition equals libs/state-machine/src/row-pipeline.asl.json after substitution', async () => {
    const fromFile = (await readFile(join(WORKSPACE_ROOT, ROW_PIPELINE_DEFINITION), 'utf8')).replace(
      /#\{([^}]+)\}/g,
      (_match, name: string) => ({ 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, Stage: STAGE })[name] ?? `#{${name}}`,
    );

    expect(definitionOf('RowPipelineStateMachine')).toEqual(JSON.parse(fromFile));
    expect(definitionOf('RowPipelineStateMachine')).toEqual(loadDefinition({ region: REGION, accountId: ACCOUNT, stage: STAGE }));
  });

  it.each(['RowPipelineStateMachine', 'StarterStateMachine'])('%s is valid ASL as deployed', (id) => {
    const result = aslValidator(structuredClone(definitionOf(id)), { checkPaths: true, checkArn: true });

    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is named ledgerlake-<stage>, traced, and logs to its own log group; Stage defaults to the stage', () => {
    const machine = props('RowPipelineStateMachine');

    expect(machine['StateMachineName']).toBe(`ledgerlake-${STAGE}`);
    expect(machine['TracingConfiguration']).toEqual({ Enabled: true });
    expect(machine['LoggingConfiguration']).toMatchObject({
      Level: 'ERROR',
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['RowPipelineLogGroup', 'Arn'] } } }],
    });
    expect(props('RowPipelineLogGroup')).toEqual({ LogGroupName: `/aws/vendedlogs/states/ledgerlake-${STAGE}`, RetentionInDays: 30 });
    expect(machine['RoleArn']).toEqual({ 'Fn::GetAtt': ['RowPipelineRole', 'Arn'] });
    expect((template as unknown as { Parameters: Record<string, Properties> }).Parameters['Stage']).toMatchObject({ Type: 'String', Default: STAGE });
  });

  it('its role invokes exactly the functions the definition names, and nothing else but its Distributed Maps (and their data key), logs delivery and X-Ray', () => {
    const named = [...new Set(Object.values(taskFunctions(definitionOf('RowPipelineStateMachine'))))];
    const statements = statementsOf('RowPipelineRole');
    const invoke = statements.filter((s) => asList<string>(s.Action).some((a) => a.startsWith('lambda:')));
    const maps = statements.filter((s) => asList<string>(s.Action).some((a) => a.startsWith('states:') || a.startsWith('s3:')));
    const dataKey = statements.filter((s) => asList<string>(s.Action).some((a) => a.startsWith('kms:')));
    const others = statements.filter((s) => !invoke.includes(s) && !maps.includes(s) && !dataKey.includes(s));

    expect(named).toEqual(expect.arrayContaining([`ledgerlake-${STAGE}-enrichment`, `ledgerlake-${STAGE}-run-recorder`]));
    expect(invoke).toHaveLength(1);
    expect(asList<string>(invoke[0]?.Action)).toEqual(['lambda:InvokeFunction']);
    expect(new Set(invoke[0]?.Resource as string[])).toEqual(
      new Set(named.map((name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`)),
    );
    expect(others.flatMap((s) => asList<string>(s.Action)).filter((a) => !/^(logs:[A-Za-z]+Deliver(y|ies)|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:[A-Za-z]+)$/.test(a))).toEqual([]);
    expect(isAllowed(statements, { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ledgerlake-${STAGE}-other` })).toBe(false);
    // The Map items and results sit in the artifacts bucket, under the data key: used through S3 only.
    expect(dataKey.map((s) => ({ Action: s.Action, Resource: s.Resource, Condition: resolve(s.Condition) }))).toEqual([
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/*`],
        Condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/ledgerlake-${STAGE}-data` },
          StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
        },
      },
    ]);
  });

  it('its role starts and follows only its own executions (Distributed Map children) and touches only the work area\'s Map items and results', () => {
    const statements = statementsOf('RowPipelineRole');
    const machine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-${STAGE}`;
    const child = `arn:aws:states:${REGION}:${ACCOUNT}:execution:ledgerlake-${STAGE}/ProcessParts:0b6c5c1e-7d1d-4b43-9c39-6f6a1f1b2c3d`;
    const artifacts = `arn:aws:s3:::ledgerlake-${STAGE}-artifacts/work/20240105T090000Z`;
    const allowed = (action: string, resource: string) => isAllowed(statements, { action, resource });

    expect(allowed('states:StartExecution', machine)).toBe(true);
    expect(allowed('states:StartExecution', `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-${STAGE}-starter`)).toBe(false);
    expect(allowed('states:DescribeExecution', child)).toBe(true);
    expect(allowed('states:StopExecution', child)).toBe(true);
    expect(allowed('s3:GetObject', `${artifacts}/plan/chunks.json`)).toBe(true);
    expect(allowed('s3:GetObject', `${artifacts}/enriched/parts.json`)).toBe(true);
    expect(allowed('s3:PutObject', `${artifacts}/map-results/parts/0b6c5c1e/SUCCEEDED_0.json`)).toBe(true);
    // Never the rows themselves, nor any other layer.
    expect(allowed('s3:GetObject', `${artifacts}/enriched/part-00000.bin`)).toBe(false);
    expect(allowed('s3:PutObject', `${artifacts}/enriched/parts.json`)).toBe(false);
    expect(allowed('s3:GetObject', `arn:aws:s3:::ledgerlake-${STAGE}-silver/mortgages/transactions/year=2024/month=01/_LATEST.json`)).toBe(false);
  });

  it('a Task added to the definition is allowed by the next package; a non-Lambda Task stops packaging', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ledgerlake-infra-def-'));
    try {
      const dir = await copyInfraService(root);
      const definition = rawDefinition() as unknown as { States: Record<string, Properties> };
      const resourceOf = (fn: string) => `arn:#{AWS::Partition}:lambda:#{AWS::Region}:#{AWS::AccountId}:function:ledgerlake-#{Stage}-${fn}`;
      definition.States['AuditRun'] = { Type: 'Task', Resource: resourceOf('audit'), End: true };
      const expected = new Set(Object.values(taskFunctions(fillForTest(definition))).map((name) => name.replace(`-${STAGE}-`, '-#{Stage}-')));
      await writeFile(join(root, ROW_PIPELINE_DEFINITION), JSON.stringify(definition));
      const withAudit = jest.requireActual<{ functionNames: string[] }>(join(dir, 'row-pipeline-functions.js'));
      definition.States['AuditRun'] = { Type: 'Task', Resource: 'arn:#{AWS::Partition}:states:::sns:publish', End: true };
      await writeFile(join(root, ROW_PIPELINE_DEFINITION), JSON.stringify(definition));
      jest.resetModules();

      expect(withAudit.functionNames).toContain('ledgerlake-#{Stage}-audit');
      expect(new Set(withAudit.functionNames)).toEqual(expected);
      expect(() => jest.requireActual(join(dir, 'row-pipeline-functions.js'))).toThrow(/Task AuditRun has Resource arn:#\{AWS::Partition\}:states:::sns:publish/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

/** A definition object with its placeholders filled, for `taskFunctions`. */
function fillForTest(definition: unknown): AslDefinition {
  return JSON.parse(JSON.stringify(definition).replace(/#\{AWS::Partition\}/g, 'aws').replace(/#\{AWS::Region\}/g, REGION).replace(/#\{AWS::AccountId\}/g, ACCOUNT).replace(/#\{Stage\}/g, STAGE)) as AslDefinition;
}

describe('the starter (executions named with their run id)', () => {
  const states = (): Record<string, Properties> => definitionOf('StarterStateMachine').States as unknown as Record<string, Properties>;
  const startTasks = (): Properties[] => {
    const sweep = states()['SweepIngestDates']?.['ItemProcessor'] as { States: Record<string, Properties> };
    const runs = sweep.States['StartRuns']?.['ItemProcessor'] as { States: Record<string, Properties> };
    return [states()['StartRun'] as Properties, runs.States['StartSweptRun'] as Properties];
  };

  it('starts the row pipeline with a name that is a run id, and the run request as its input', async () => {
    for (const task of startTasks()) {
      const args = task['Arguments'] as Properties;
      const context = { State: { EnteredTime: '2024-01-05T09:00:00.123Z' }, Execution: { StartTime: '2024-01-05T09:00:00.001Z' } };
      const request = { dataset: DATASET, mode: 'ingest', source: { bucket: buckets.bronze, key: `${DATASET}/ingest_date=2024-01-05/a.csv` } };
      const name = await evaluateJsonata(args['Name'], { context, input: request });
      const input = await evaluateJsonata(args['Input'], { context, input: { ...request, extra: 1 } });

      expect(task['Resource']).toBe('arn:aws:states:::states:startExecution');
      expect(args['StateMachineArn']).toBe(STATE_MACHINE_ARN);
      expect(name).toBe('20240105T090000Z-0f8fad5bd9cb');
      expect(RunIdSchema.safeParse(name).success).toBe(true);
      expect(input).toEqual(request);
      // What CaptureRunContext/BuildRunContext then make of it parses as the run context.
      const run = { ...request, run_id: name, execution_name: name, execution_arn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${String(name)}`, started_at: '2024-01-05T09:00:00.200Z' };
      expect(RunContextSchema.safeParse(run).success).toBe(true);
    }
  });

  it('the daily sweep lists today and the days before (UTC) and starts a run per landed file, not per folder marker', async () => {
    const sweep = states()['SweepIngestDates'] as Properties;
    const inner = (sweep['ItemProcessor'] as { States: Record<string, Properties> }).States;
    const input = { dataset: DATASET, mode: 'ingest', sweep: { bucket: buckets.bronze, days: 2 } };
    const context = { Execution: { StartTime: '2024-03-01T02:00:00.045Z' }, Map: { Item: { Value: '2024-02-29' } } };
    const prefix = await evaluateJsonata((sweep['ItemSelector'] as Properties)['prefix'], { context, input });
    const listed = await evaluateJsonata(inner['ListIngestDate']?.['Output'], {
      input: { dataset: DATASET, mode: 'ingest', bucket: buckets.bronze, prefix },
      result: {
        Contents: [{ Key: `${String(prefix)}` }, { Key: `${String(prefix)}a.csv` }, { Key: `${String(prefix)}sub/c.csv` }, { Key: `${String(prefix)}b.csv.gz` }],
        NextContinuationToken: 'next',
      },
    });

    expect(await evaluateJsonata(sweep['Items'], { context, input })).toEqual(['2024-03-01', '2024-02-29']);
    // JSONata makes a one-value sequence a plain value; Items must stay an array.
    expect(await evaluateJsonata(sweep['Items'], { context, input: { ...input, sweep: { ...input.sweep, days: 1 } } })).toEqual(['2024-03-01']);
    expect(prefix).toBe(`${DATASET}/ingest_date=2024-02-29/`);
    expect(listed).toMatchObject({ keys: [`${String(prefix)}a.csv`, `${String(prefix)}b.csv.gz`], token: 'next' });
    expect(await evaluateJsonata(inner['ListIngestDate']?.['Arguments'], { input: { bucket: buckets.bronze, prefix, token: 'next' } })).toEqual({
      Bucket: buckets.bronze,
      Prefix: prefix,
      ContinuationToken: 'next',
    });
  });

  it('starts a run only for a key the lake layout reads as a landed file: no folder markers, subfolders or keys outside ingest_date=', async () => {
    const choice = states()['IsLandedFile'] as { Choices: { Condition: string; Next: string }[]; Default: string };
    const keys = [
      `${DATASET}/ingest_date=2024-01-05/q1.csv`,
      `${DATASET}/ingest_date=2024-01-05/q1.csv.gz`,
      `${DATASET}/ingest_date=2024-01-05/`,
      `${DATASET}/ingest_date=2024-01-05/sub/q1.csv`,
      `${DATASET}/ingest_date=2024-13-05/q1.csv`,
      `${DATASET}/ingest_date=latest/q1.csv`,
      `${DATASET}/q1.csv`,
      `${DATASET}/`,
      `${DATASET}-old/ingest_date=2024-01-05/q1.csv`,
    ];
    const started = async (key: string): Promise<boolean> =>
      (await evaluateJsonata(choice.Choices[1]?.Condition, { input: { dataset: DATASET, mode: 'ingest', source: { bucket: buckets.bronze, key } } })) === true;

    expect(states()['IsSweep']?.['Default']).toBe('IsLandedFile');
    expect(choice.Choices[1]?.Next).toBe('StartRun');
    expect(states()[choice.Default]?.['Type']).toBe('Succeed');
    for (const key of keys) {
      expect([key, await started(key)]).toEqual([key, parseBronzeKey(key) !== undefined]);
    }
    // The smoke test's dry run of a file under smoke/ (no trigger fires for it); only as a dry run.
    const smoke = { dataset: DATASET, mode: 'ingest', source: { bucket: buckets.bronze, key: 'smoke/ingest_date=2024-01-05/smoke-0123456789ab-1.csv' } };
    const asDryRun = async (input: Properties): Promise<boolean> =>
      (await Promise.all(choice.Choices.slice(1).map(async (c) => (await evaluateJsonata(c.Condition, { input })) === true))).some(Boolean);
    expect(await asDryRun({ ...smoke, dry_run: true })).toBe(true);
    expect(await asDryRun(smoke)).toBe(false);
    expect(choice.Choices.map((c) => c.Next)).toEqual(['RunbookFile', 'StartRun', 'StartRun']);
  });

  it("passes the Bronze object's version id and ETag on, and leaves out what the event lacks", async () => {
    const args = (states()['StartRun'] as Properties)['Arguments'] as Properties;
    const source = { bucket: buckets.bronze, key: `${DATASET}/ingest_date=2024-01-05/q1.csv` };
    const context = { State: { EnteredTime: '2024-01-05T09:00:00.123Z' } };
    const input = (extra: Properties) => evaluateJsonata(args['Input'], { context, input: { dataset: DATASET, mode: 'ingest', source: { ...source, ...extra } } });

    expect(await input({ version_id: 'v-3HL4kqt', etag: 'd41d8cd98f00b204e9800998ecf8427e' })).toEqual({
      dataset: DATASET,
      mode: 'ingest',
      source: { ...source, version_id: 'v-3HL4kqt', etag: 'd41d8cd98f00b204e9800998ecf8427e' },
    });
    expect(await input({ version_id: null, etag: '' })).toEqual({ dataset: DATASET, mode: 'ingest', source });
    expect(await evaluateJsonata(args['Input'], { context, input: { dataset: DATASET, mode: 'ingest', source, dry_run: true } })).toEqual({
      dataset: DATASET,
      mode: 'ingest',
      source,
      dry_run: true,
    });
  });

  it("names the run with the request's run_id and forwards every field its mode needs (a command line's retry, approval, backfill, re-run)", async () => {
    const args = (states()['StartRun'] as Properties)['Arguments'] as Properties;
    const context = { State: { EnteredTime: '2024-01-05T09:00:00.123Z' } };
    const retryRun = '20240105T085959Z-a1b2c3';
    const retry = { dataset: DATASET, mode: 'retry', run_id: retryRun, approval_id: 'approval-1', source: layout.bronze.retryFile('2024-01-05', retryRun) };
    const backfillRun = 'backfill-20240105T085959Z-d4e5f6';
    const backfill = { dataset: DATASET, mode: 'backfill', run_id: backfillRun, backfill_month: '2023-12', source: layout.bronze.backfillFile('2024-01-05', '2023-12', backfillRun, false) };
    const rerun = { dataset: DATASET, mode: 'ingest', run_id: '20240105T090000Z-0a1b2c', rerun_of: '20240104T090000Z', source: { bucket: buckets.bronze, key: `${DATASET}/ingest_date=2024-01-04/q1.csv` } };

    for (const { run_id, ...request } of [retry, backfill, rerun]) {
      expect(await evaluateJsonata(args['Name'], { context, input: { ...request, run_id } })).toBe(run_id);
      expect(await evaluateJsonata(args['Input'], { context, input: { ...request, run_id, requested_by: 'ana' } })).toEqual(request);
      const run = { ...request, run_id, execution_name: run_id, execution_arn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${run_id}`, started_at: '2024-01-05T09:00:00.200Z' };
      expect(RunContextSchema.safeParse(run).success).toBe(true);
    }
  });

  it("never starts an ingest run of a file the runbook landed (a retry's rows, a backfill's input): only the request that names its run", async () => {
    const choice = states()['IsLandedFile'] as { Choices: { Condition: string; Next: string }[]; Default: string };
    const next = async (input: Properties): Promise<string> => {
      for (const c of choice.Choices) if ((await evaluateJsonata(c.Condition, { input })) === true) return c.Next;
      return choice.Default;
    };
    const retryRun = '20240105T085959Z-a1b2c3';
    const runbookFiles = [
      layout.bronze.retryFile('2024-01-05', retryRun),
      layout.bronze.retryFile('2024-01-05', '20240105T085959Z'),
      layout.bronze.backfillFile('2024-01-05', '2023-12', 'backfill-20240105T085959Z-d4e5f6', false),
      layout.bronze.backfillFile('2024-01-05', '2023-12', 'backfill-20240105T085959Z', true),
    ];
    const peopleFiles = ['retry-notes.csv', 'backfill-2023-12.csv', 'retry-20240105T085959Z-a1b2c3.csv.bak', 'q1.csv'].map((name) => layout.bronze.file('2024-01-05', name));

    for (const source of runbookFiles) {
      expect(isRunbookFileName(source.key.split('/').at(-1) ?? '')).toBe(true);
      expect([source.key, await next({ dataset: DATASET, mode: 'ingest', source })]).toEqual([source.key, 'RunbookFile']);
      expect([source.key, await next({ dataset: DATASET, mode: 'retry', run_id: retryRun, source })]).toEqual([source.key, 'StartRun']);
    }
    for (const source of peopleFiles) {
      expect(isRunbookFileName(source.key.split('/').at(-1) ?? '')).toBe(false);
      expect([source.key, await next({ dataset: DATASET, mode: 'ingest', source })]).toEqual([source.key, 'StartRun']);
    }
    expect(states()['RunbookFile']?.['Type']).toBe('Succeed');

    // The daily sweep leaves them out too.
    const sweep = states()['SweepIngestDates'] as Properties;
    const inner = (sweep['ItemProcessor'] as { States: Record<string, Properties> }).States;
    const prefix = `${DATASET}/ingest_date=2024-01-05/`;
    const listed = await evaluateJsonata(inner['ListIngestDate']?.['Output'], {
      input: { dataset: DATASET, mode: 'ingest', bucket: buckets.bronze, prefix },
      result: { Contents: [...runbookFiles, ...peopleFiles].map((ref) => ({ Key: ref.key })) },
    });
    expect(listed).toMatchObject({ keys: peopleFiles.map((ref) => ref.key) });
  });

  it("runs the command line's restore and recover in the promotion function, each ending with its result or its error for the command", async () => {
    const restore = { run_id: '20240105T090000Z-0123456789ab', partition: '2024-01', by: 'ana', reason: 'bad feed', operation_id: '20240201T100000Z-p1a2b3', at: '2024-02-01T10:00:00.000Z' };
    const context = { Execution: { Id: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}-starter:${restore.operation_id}` } };
    const choice = states()['IsOperation'] as { Choices: { Condition: string; Next: string }[]; Default: string };
    const next = async (input: Properties) => {
      for (const c of choice.Choices) if ((await evaluateJsonata(c.Condition, { input })) === true) return c.Next;
      return choice.Default;
    };
    const task = (name: string) => states()[name] as { Resource: string; Arguments: Properties; Output: string; TimeoutSeconds: number; Catch: { ErrorEquals: string[]; Output: string; Next: string }[]; End: boolean };

    expect(definitionOf('StarterStateMachine')['StartAt']).toBe('IsOperation');
    expect(await next({ restore })).toBe('RestoreMonth');
    expect(await next({ recover: { force: false } })).toBe('RecoverPromotions');
    expect(await next({ dataset: DATASET, mode: 'ingest', source: { bucket: buckets.bronze, key: `${DATASET}/ingest_date=2024-01-05/a.csv` } })).toBe('IsSweep');
    for (const name of ['RestoreMonth', 'RecoverPromotions']) {
      expect(task(name).Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(task(name).Arguments['FunctionName']).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:ledgerlake-${STAGE}-promotion`);
      // The promotion function's timeout (900 s) and a minute more, as every Task of the row pipeline.
      expect(task(name).TimeoutSeconds).toBe(960);
      expect(await evaluateJsonata(task(name).Output, { result: { Payload: { done: 1 }, StatusCode: 200 } })).toEqual({ done: 1 });
      const [catcher] = task(name).Catch;
      expect(catcher?.ErrorEquals).toEqual(['States.ALL']);
      expect(states()[catcher?.Next ?? '']?.['Type']).toBe('Succeed');
      expect(await evaluateJsonata(catcher?.Output, { errorOutput: { Error: 'RunBlockedError', Cause: '{"errorMessage":"blocked"}' } })).toEqual({ operation_failed: { error: 'RunBlockedError', cause: '{"errorMessage":"blocked"}' } });
    }
    // What the promotion function is sent is its own event contract.
    const restoreEvent = await evaluateJsonata(task('RestoreMonth').Arguments['Payload'], { input: { restore }, context });
    const recoverEvent = await evaluateJsonata(task('RecoverPromotions').Arguments['Payload'], { input: { recover: { force: true } } });
    expect(restoreEvent).toEqual({ action: 'restore-month', request: { ...restore, execution_arn: context.Execution.Id } });
    expect(recoverEvent).toEqual({ action: 'recover-all', force: true });
    expect(PromotionEventSchema.safeParse(restoreEvent).success).toBe(true);
    expect(PromotionEventSchema.safeParse(recoverEvent).success).toBe(true);
  });

  it('may start only the row pipeline, invoke only the promotion function and list only the dataset in Bronze', () => {
    const statements = statementsOf('StarterRole');
    const landed = `${DATASET}/ingest_date=2024-01-05/`;

    expect(props('StarterStateMachine')['RoleArn']).toEqual({ 'Fn::GetAtt': ['StarterRole', 'Arn'] });
    expect(isAllowed(statements, { action: 'states:StartExecution', resource: STATE_MACHINE_ARN })).toBe(true);
    expect(isAllowed(statements, { action: 'states:StartExecution', resource: `${STATE_MACHINE_ARN}-starter` })).toBe(false);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: `arn:aws:s3:::${buckets.bronze}`, context: { 's3:prefix': landed } })).toBe(true);
    expect(isAllowed(statements, { action: 's3:ListBucket', resource: `arn:aws:s3:::${buckets.bronze}`, context: { 's3:prefix': '' } })).toBe(false);
    expect(isAllowed(statements, { action: 's3:GetObject', resource: `arn:aws:s3:::${buckets.bronze}/${landed}a.csv` })).toBe(false);
    expect(isAllowed(statements, { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ledgerlake-${STAGE}-promotion` })).toBe(true);
    expect(isAllowed(statements, { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ledgerlake-${STAGE}-validation` })).toBe(false);
    expect(isAllowed(statements, { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ledgerlake-prod-promotion` })).toBe(false);
    expect(statements.flatMap((s) => asList<string>(s.Action)).filter((a) => !/^(states:StartExecution|lambda:InvokeFunction|s3:ListBucket|logs:[A-Za-z]+|xray:[A-Za-z]+)$/.test(a))).toEqual([]);
  });
});

describe("the command line's operator and auditor policies", () => {
  const S3 = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;
  const EXECUTION = (machine: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;
  const WORKGROUP = (name: string) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
  const GLUE = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;
  const RUN = '20240105T090000Z-0123456789ab';
  const HASH = 'a'.repeat(64);
  const month = { year: 2024, month: 1 };
  const key = (ref: { key: string }) => ref.key;
  const DATA_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/data';
  /** What every read command reads (runs, runs show, bronze/quarantine/condemned list, breaker status, partitions history, logs, query, report balances). */
  const reads = [
    ...Object.values(buckets).map((bucket) => ({ action: 's3:ListBucket', resource: S3(bucket) })),
    { action: 's3:GetObject', resource: S3(buckets.artifacts, key(layout.artifacts.runRecord(RUN))) },
    { action: 's3:GetObject', resource: S3(buckets.artifacts, key(layout.control.circuitBreaker())) },
    { action: 's3:GetObject', resource: S3(buckets.artifacts, key(layout.control.processedFile(HASH))) },
    { action: 's3:GetObject', resource: S3(buckets.quarantine, `${layout.quarantine.runPrefix('2024-01-05', RUN).prefix}part-00000.parquet`) },
    { action: 's3:GetObject', resource: S3(buckets.silver, key(layout.silver.latest(month))) },
    { action: 'kms:Decrypt', resource: DATA_KEY },
    { action: 'states:ListStateMachines', resource: '*' },
    { action: 'states:DescribeExecution', resource: EXECUTION(`ledgerlake-${STAGE}`, RUN) },
    { action: 'states:ListExecutions', resource: STATE_MACHINE_ARN },
    { action: 'states:ListExecutions', resource: `${STATE_MACHINE_ARN}-starter` },
    // query, report balances: Athena in the stage's workgroup, its Glue tables, results in its result location.
    { action: 'athena:GetWorkGroup', resource: WORKGROUP(`ledgerlake-${STAGE}`) },
    { action: 'athena:StartQueryExecution', resource: WORKGROUP(`ledgerlake-${STAGE}`) },
    { action: 'athena:GetQueryResults', resource: WORKGROUP(`ledgerlake-${STAGE}`) },
    { action: 'glue:GetTable', resource: GLUE(`table/silver_${STAGE}/transactions`) },
    { action: 'glue:GetPartitions', resource: GLUE(`table/gold_${STAGE}/account_balances`) },
    { action: 'glue:GetDatabase', resource: GLUE(`database/quarantine_${STAGE}`) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, 'athena-results/0a1b2c3d.csv') },
    { action: 's3:GetBucketLocation', resource: S3(buckets.artifacts) },
    // logs RUN_ID: one Logs Insights query over the functions' log groups.
    { action: 'logs:DescribeLogGroups', resource: '*' },
    { action: 'logs:StartQuery', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/ledgerlake-${STAGE}-validation:*` },
    { action: 'logs:GetQueryResults', resource: '*' },
  ];
  /** What the runbook commands write (retry, approve, reject, breaker reset, bronze ignore, backfill) and start. */
  const runbook = [
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.circuitBreaker())) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.retryClaim(HASH, 1))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.retryRecord(RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.condemnedDecision('d-1'))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.condemnedRowDecision(RUN, HASH))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.ignoredBronzeObject(`${DATASET}/ingest_date=2024-01-05/q1.csv`))) },
    { action: 's3:DeleteObject', resource: S3(buckets.artifacts, key(layout.control.retryClaim(HASH, 1))) },
    { action: 's3:PutObject', resource: S3(buckets.bronze, key(layout.bronze.retryFile('2024-01-05', RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.bronze, key(layout.bronze.backfillFile('2024-01-05', '2023-12', `backfill-${RUN}`, false))) },
    { action: 's3:PutObject', resource: S3(buckets.bronze, key(layout.bronze.file('2024-01-05', 'q1.csv'))) },
    { action: 's3:AbortMultipartUpload', resource: S3(buckets.bronze, key(layout.bronze.file('2024-01-05', 'q1.csv'))) },
    { action: 'kms:GenerateDataKey', resource: DATA_KEY },
    { action: 'states:StartExecution', resource: `${STATE_MACHINE_ARN}-starter` },
    // runs report: the run's report and the index written again.
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.artifacts.report(RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.artifacts.reportData(RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.artifacts.reportIndex().entries)) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.artifacts.reportIndex().page)) },
  ];
  /** Never: what the pipeline publishes or owns, Bronze deletes, the row pipeline started around the starter, other stages. */
  const never = [
    { action: 's3:PutObject', resource: S3(buckets.silver, key(layout.silver.latest(month))) },
    { action: 's3:PutObject', resource: S3(buckets.silver, `${layout.silver.runPrefix(month, RUN).prefix}part-00000.parquet`) },
    { action: 's3:PutObject', resource: S3(buckets.gold, 'finance/account_balances/schema_v=v1/as_of_month=2024-01/_LATEST.json') },
    { action: 's3:PutObject', resource: S3(buckets.quarantine, `${layout.quarantine.runPrefix('2024-01-05', RUN).prefix}part-00000.parquet`) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.artifacts.runRecord(RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.processedFile(HASH))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.promotionIntent(RUN))) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, key(layout.control.breakerWindow(RUN))) },
    { action: 's3:DeleteObject', resource: S3(buckets.bronze, key(layout.bronze.file('2024-01-05', 'q1.csv'))) },
    { action: 's3:DeleteObject', resource: S3(buckets.silver, key(layout.silver.latest(month))) },
    { action: 'states:StartExecution', resource: STATE_MACHINE_ARN },
    { action: 's3:GetObject', resource: S3(TRAIL_BUCKET, 'AWSLogs/123456789012/x.json.gz') },
    { action: 's3:GetObject', resource: S3('ledgerlake-prod-artifacts', key(layout.artifacts.runRecord(RUN))) },
    { action: 'states:StartExecution', resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ledgerlake-prod-starter` },
    { action: 'athena:StartQueryExecution', resource: WORKGROUP('primary') },
    { action: 'athena:StartQueryExecution', resource: WORKGROUP('ledgerlake-prod') },
    { action: 'glue:GetTable', resource: GLUE('table/silver_prod/transactions') },
    { action: 'glue:CreateTable', resource: GLUE(`table/silver_${STAGE}/transactions`) },
    { action: 's3:PutObject', resource: S3(buckets.artifacts, 'gold-builds/x/manifest') },
    { action: 'logs:StartQuery', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/ledgerlake-prod-validation:*` },
  ];
  const policy = (id: string) => {
    const statements = statementsOf(id).map((statement) => ({
      ...statement,
      Resource: asList<unknown>(statement.Resource as unknown[]).map((r) => (JSON.stringify(r).includes('DataKey') ? DATA_KEY : r)),
    }));
    return (request: { action: string; resource: string }): boolean => isAllowed(statements, request);
  };

  it('the auditor may run every read command and change nothing', () => {
    const allowed = policy('AuditorPolicy');
    expect(props('AuditorPolicy')['ManagedPolicyName']).toBe(`ledgerlake-${STAGE}-auditor`);
    expect(reads.filter((request) => !allowed(request))).toEqual([]);
    expect([...runbook, ...never].filter((request) => allowed(request))).toEqual([]);
  });

  it('the operator may also record runbook decisions, land files in Bronze and start runs through the starter, and never write what the pipeline owns', () => {
    const allowed = policy('OperatorPolicy');
    expect(props('OperatorPolicy')['ManagedPolicyName']).toBe(`ledgerlake-${STAGE}-operator`);
    expect([...reads, ...runbook].filter((request) => !allowed(request))).toEqual([]);
    expect(never.filter((request) => allowed(request))).toEqual([]);
  });
});

describe('triggers', () => {
  const targetsOf = (id: string): Properties[] => props(id)['Targets'] as Properties[];

  it('Bronze Object Created under mortgages/transactions/ starts a run with the run request', async () => {
    const rule = props('BronzeObjectCreatedRule');
    const [target] = targetsOf('BronzeObjectCreatedRule');
    const transformer = target?.['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
    const event = {
      detail: { bucket: { name: buckets.bronze }, object: { key: `${DATASET}/ingest_date=2024-01-05/q1.csv`, size: 10, etag: 'd41d8cd9', 'version-id': 'v-3HL4kqt' } },
    };
    const values = Object.fromEntries(
      Object.entries(transformer.InputPathsMap).map(([name, path]) => [name, path.slice(2).split('.').reduce<unknown>((v, k) => (v as Properties)[k], event)]),
    );
    const input = JSON.parse(transformer.InputTemplate.replace(/<(\w+)>/g, (_m, name: string) => JSON.stringify(values[name])));

    expect(rule['EventPattern']).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [buckets.bronze] }, object: { key: [{ prefix: `${DATASET}/ingest_date=` }] } },
    });
    expect(rule['State']).toBe('ENABLED');
    expect(target).toMatchObject({ Arn: { Ref: 'StarterStateMachine' }, RoleArn: { 'Fn::GetAtt': ['TriggerRole', 'Arn'] } });
    expect(input).toEqual({
      dataset: DATASET,
      mode: 'ingest',
      source: { bucket: buckets.bronze, key: `${DATASET}/ingest_date=2024-01-05/q1.csv`, version_id: 'v-3HL4kqt', etag: 'd41d8cd9' },
    });
    expect(RunContextSchema.shape.source.safeParse(input.source).success).toBe(true);
  });

  it('the daily schedule at 02:00 UTC sweeps the last two ingest dates of Bronze', () => {
    const [target] = targetsOf('DailyScheduleRule');

    expect(props('DailyScheduleRule')['ScheduleExpression']).toBe('cron(0 2 * * ? *)');
    expect(target).toMatchObject({ Arn: { Ref: 'StarterStateMachine' }, RoleArn: { 'Fn::GetAtt': ['TriggerRole', 'Arn'] } });
    expect(JSON.parse(String(target?.['Input']))).toEqual({ dataset: DATASET, mode: 'ingest', sweep: { bucket: buckets.bronze, days: 2 } });
  });

  it('EventBridge may start the starter and nothing else', () => {
    const statements = roleStatements(template, 'TriggerRole');

    expect(statements).toEqual([{ Sid: 'StartStarter', Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'StarterStateMachine' } }]);
  });
});

describe('alerts', () => {
  it('FAILED, TIMED_OUT and ABORTED executions of the row pipeline and of the starter go to SNS etl-failures', () => {
    const rule = props('ExecutionFailedRule');

    expect(rule['EventPattern']).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:ledgerlake-ci' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:ledgerlake-ci-starter' },
        ],
      },
    });
    expect((rule['EventPattern'] as { detail: { stateMachineArn: unknown[] } }).detail.stateMachineArn.map(resolve)).toEqual([
      STATE_MACHINE_ARN,
      `${STATE_MACHINE_ARN}-starter`,
    ]);
    // The name the alert consumer tells a starter's failure by.
    expect(props('StarterStateMachine')['StateMachineName']).toBe(starterName(STAGE));
    expect(rule['Targets']).toMatchObject([{ Id: 'etl-failures', Arn: { Ref: 'EtlFailuresTopic' } }]);
  });

  it("every rule's target sends what it cannot deliver to the triggers' DLQ, which only those rules may send to", () => {
    const rules = ofType('AWS::Events::Rule');
    const policy = props('TriggersDeadLetterQueuePolicy');

    expect(rules.map(([id]) => id).sort()).toEqual(['BronzeObjectCreatedRule', 'DailyScheduleRule', 'ExecutionFailedRule']);
    for (const [, rule] of rules) {
      for (const target of rule['Targets'] as Properties[]) {
        expect(target['DeadLetterConfig']).toEqual({ Arn: { 'Fn::GetAtt': ['TriggersDeadLetterQueue', 'Arn'] } });
        expect(target['RetryPolicy']).toMatchObject({ MaximumRetryAttempts: 185 });
      }
    }
    expect(props('TriggersDeadLetterQueue')).toEqual({ QueueName: `ledgerlake-${STAGE}-triggers-dlq`, SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect((policy['PolicyDocument'] as { Statement: Properties[] }).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': rules.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })) } },
      }),
    ]);
  });

  it.each([
    ['EtlFailuresTopic', 'etl-failures', 'events.amazonaws.com'],
    ['QuarantineAlertsTopic', 'quarantine-alerts', 'cloudwatch.amazonaws.com'],
  ])('%s is KMS-encrypted and its publisher (%s) may publish', (id, name, publisher) => {
    const policy = ofType('AWS::SNS::TopicPolicy').find(([, p]) => JSON.stringify(p['Topics']) === JSON.stringify([{ Ref: id }]));
    const keyPolicy = props('AlertsKey')['KeyPolicy'] as { Statement: Properties[] };

    expect(props(id)).toEqual({ TopicName: `ledgerlake-${STAGE}-${name}`, KmsMasterKeyId: { Ref: 'AlertsKeyAlias' } });
    expect((policy?.[1]['PolicyDocument'] as { Statement: Properties[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: publisher }, Action: 'sns:Publish', Resource: { Ref: id } }),
    );
    expect(keyPolicy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: expect.arrayContaining([publisher]) }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
    );
    expect(props('AlertsKey')['EnableKeyRotation']).toBe(true);
  });

  it('both topics deliver to one encrypted queue, which the topics alone may send to', () => {
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, p]) => p).filter((p) => p['Protocol'] === 'sqs');
    const policy = props('EtlFailuresQueuePolicy');

    expect(subscriptions).toEqual(
      ['EtlFailuresTopic', 'QuarantineAlertsTopic'].map((topic) => ({
        TopicArn: { Ref: topic },
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['EtlFailuresQueue', 'Arn'] },
        RawMessageDelivery: false,
      })),
    );
    expect(policy['Queues']).toEqual([{ Ref: 'EtlFailuresQueue' }]);
    expect((policy['PolicyDocument'] as { Statement: Properties[] }).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': [{ Ref: 'EtlFailuresTopic' }, { Ref: 'QuarantineAlertsTopic' }] } },
      }),
    ]);
  });

  it('the queue hides a message 6x the consumer timeout and moves it to the DLQ after 3 receives; the DLQ keeps 14 days', () => {
    const queue = props('EtlFailuresQueue');
    const dlq = props('EtlFailuresDeadLetterQueue');

    expect(queue['QueueName']).toBe(`ledgerlake-${STAGE}-etl-failures`);
    expect(queue['SqsManagedSseEnabled']).toBe(true);
    expect(Number(queue['VisibilityTimeout'])).toBeGreaterThanOrEqual(6 * ALERT_CONSUMER_TIMEOUT_S);
    expect(queue['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['EtlFailuresDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    expect(dlq).toEqual({ QueueName: `ledgerlake-${STAGE}-etl-failures-dlq`, SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('a message in the DLQ raises an alarm', () => {
    expect(props('EtlFailuresDeadLetterAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['EtlFailuresDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'OpsAlarmsTopic' }],
    });
    expect(props('TriggersDeadLetterAlarm')).toMatchObject({
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['TriggersDeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'OpsAlarmsTopic' }, { Ref: 'QuarantineAlertsTopic' }],
    });
  });

  it('alarms about the alert path reach people without the alert consumer or Slack: an email subscription when AlarmEmail is set', () => {
    const subscription = resource('OpsAlarmsEmailSubscription') as Resource & { Condition?: string };
    const parameters = (template as unknown as { Parameters: Record<string, Properties>; Conditions: Record<string, unknown> }).Parameters;
    const conditions = (template as unknown as { Conditions: Record<string, unknown> }).Conditions;
    const subscribedToOps = ofType('AWS::SNS::Subscription').filter(([, p]) => JSON.stringify(p['TopicArn']) === JSON.stringify({ Ref: 'OpsAlarmsTopic' }));

    expect(props('OpsAlarmsTopic')).toEqual({ TopicName: `ledgerlake-${STAGE}-ops-alarms`, KmsMasterKeyId: { Ref: 'AlertsKeyAlias' } });
    expect(subscribedToOps.map(([id]) => id)).toEqual(['OpsAlarmsEmailSubscription']);
    expect(subscription.Condition).toBe('HasAlarmEmail');
    expect(subscription.Properties).toEqual({ TopicArn: { Ref: 'OpsAlarmsTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
    expect(parameters['AlarmEmail']).toMatchObject({ Type: 'String', Default: '' });
    expect(conditions['HasAlarmEmail']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
  });

  const runMetric = (name: string) => ({
    Namespace: 'LedgerLake',
    MetricName: name,
    Dimensions: [
      { Name: 'service', Value: 'partition-writer' },
      { Name: 'dataset', Value: DATASET },
    ],
  });

  /** A CloudWatch threshold in percent as an exact rate (`5` → 5/100, `2.5` → 25/1000). */
  const percentAsRate = (threshold: unknown): ExactRate => {
    if (typeof threshold !== 'number' || !/^\d+(\.\d+)?$/.test(String(threshold))) throw new Error(`infra: threshold ${String(threshold)} is not a plain decimal number`);
    const [whole, fraction = ''] = String(threshold).split('.') as [string, string?];
    return { numerator: BigInt(whole + fraction), denominator: 100n * 10n ** BigInt(fraction.length) };
  };
  const { gate } = DEFAULT_QUALITY_POLICY;

  it('a quarantine rate at the gate\'s limit or more (QuarantinedRows / InputRows, default 5 %) alarms to quarantine-alerts', async () => {
    const alarm = props('QuarantineRateAlarm');
    const metrics = alarm['Metrics'] as Properties[];
    const rate = metrics.find((m) => m['ReturnData'] === true);
    const threshold = percentAsRate(alarm['Threshold']);
    const limit = gate.promoteBelowQuarantineRate;

    // The alarm fires where the gate blocks: at the quality policy's rate (exactly) or more.
    expect(threshold.numerator * limit.denominator).toBe(limit.numerator * threshold.denominator);
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: 'QuarantineAlertsTopic' }] });
    expect(alarm['AlarmDescription']).toBe(`Quarantined rows are ${String(alarm['Threshold'])} % or more of the input rows (last hour)`);
    expect(metrics.filter((m) => m['MetricStat'] !== undefined)).toEqual([
      { Id: 'quarantined', ReturnData: false, MetricStat: { Metric: runMetric('QuarantinedRows'), Period: 3600, Stat: 'Sum' } },
      { Id: 'input', ReturnData: false, MetricStat: { Metric: runMetric('InputRows'), Period: 3600, Stat: 'Sum' } },
    ]);
    expect(rate?.['Expression']).toBe('IF(input > 0, 100 * quarantined / input, 0)');
  });

  it('the alarms follow the quality policy\'s defaults at the next package; a rate that is not one stops packaging', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ledgerlake-infra-policy-'));
    const policyFile = join(root, QUALITY_POLICY_DEFAULTS);
    try {
      const alarms = join(await copyInfraService(root), 'quality-alarms.js');
      const policy = JSON.parse(await readFile(policyFile, 'utf8')) as { gate: Record<string, unknown> };
      const withGate = async (gateLimits: Record<string, unknown>) => {
        await writeFile(policyFile, JSON.stringify({ ...policy, gate: gateLimits }));
        jest.resetModules();
        return () => jest.requireActual<{ quarantineRatePercent: number; condemnedRows: number }>(alarms);
      };

      expect((await withGate({ promoteBelowQuarantineRate: '0.025', promoteBelowCondemnedRows: 7 }))()).toEqual({ quarantineRatePercent: 2.5, condemnedRows: 7 });
      expect((await withGate({ promoteBelowQuarantineRate: '0.29', promoteBelowCondemnedRows: 1 }))()).toEqual({ quarantineRatePercent: 29, condemnedRows: 1 });
      expect((await withGate({ promoteBelowQuarantineRate: '1', promoteBelowCondemnedRows: 1 }))()).toMatchObject({ quarantineRatePercent: 100 });
      expect(await withGate({ promoteBelowQuarantineRate: '5%', promoteBelowCondemnedRows: 100 })).toThrow(/quarantine rate "5%" .* is not a decimal between 0 and 1/);
      expect(await withGate({ promoteBelowQuarantineRate: '1.5', promoteBelowCondemnedRows: 100 })).toThrow(/is not a decimal between 0 and 1/);
      expect(await withGate({ promoteBelowQuarantineRate: '0.05', promoteBelowCondemnedRows: 0 })).toThrow(/condemned rows 0 .* is not a positive integer/);
    } finally {
      jest.resetModules();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('the gate\'s condemned limit or more (default 100) alarm to quarantine-alerts', () => {
    expect(props('CondemnedRowsAlarm')).toMatchObject({
      ...runMetric('CondemnedRows'),
      AlarmDescription: `${gate.promoteBelowCondemnedRows} or more rows condemned (last hour)`,
      Statistic: 'Sum',
      Threshold: gate.promoteBelowCondemnedRows,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'QuarantineAlertsTopic' }],
    });
  });
});

describe('catalog and SQL', () => {
  const cols = (spec: string): { Name: string; Type: string }[] =>
    spec.split(', ').map((column) => {
      const [name, type] = column.split(' ') as [string, string];
      return { Name: name, Type: type };
    });
  const lineage = 'row_hash string, source_file_id string, source_line bigint, attempt_count int, ingestion_timestamp timestamp, run_id string, execution_arn string';
  const rejected = `transaction_id string, customer_id string, transaction_amount string, currency string, transaction_timestamp string, validation_error string, error_detail string, ${lineage}`;
  const s3 = (ref: { bucket: string; prefix: string }) => `s3://${ref.bucket}/${ref.prefix}`;
  const SYMLINK = {
    InputFormat: 'org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  };
  const PARQUET = {
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  };
  const tables: [string, string, string, string, string, Properties][] = [
    [`silver_${STAGE}.transactions`, 'SilverDatabase', `id bigint, account_id string, amount decimal(16,2), currency string, tx_date timestamp, ${lineage}`, 'year int, month string, schema_v string', s3(layout.silver.tablePrefix()), SYMLINK],
    [`gold_${STAGE}.account_balances`, 'GoldDatabase', 'account_id string, currency string, balance decimal(38,2), tx_count bigint, last_tx_date timestamp', 'as_of_month string', s3(layout.gold.accountBalances.tablePrefix()), SYMLINK],
    [`gold_${STAGE}.monthly_reports`, 'GoldDatabase', 'account_id string, currency string, tx_count bigint, credits decimal(38,2), debits decimal(38,2), net decimal(38,2), closing_balance decimal(38,2)', 'month string', s3(layout.gold.monthlyReports.tablePrefix()), SYMLINK],
    [`quarantine_${STAGE}.rows`, 'QuarantineDatabase', rejected, 'ingest_date string', s3(layout.quarantine.tablePrefix()), PARQUET],
    [`quarantine_${STAGE}.condemned`, 'QuarantineDatabase', rejected, 'ingest_date string', s3(layout.condemned.tablePrefix()), PARQUET],
  ];

  it('takes only stage names that SQL reads unquoted inside a schema name (silver_<stage>): two stages share an account without colliding', () => {
    const parameters = (template as unknown as { Parameters: Record<string, { AllowedPattern: string }> }).Parameters;
    const pattern = new RegExp(parameters['Stage']?.AllowedPattern ?? '');
    const names = ofType('AWS::Glue::Database').map(([, p]) => (p['DatabaseInput'] as Properties)['Name']);

    expect(['ci', 'staging', 'production', 'dev2'].filter((stage) => !pattern.test(stage))).toEqual([]);
    expect(['my-stage', 'Prod', '2024', '', 'a'.repeat(21)].filter((stage) => pattern.test(stage))).toEqual([]);
    expect(names).toEqual([`silver_${STAGE}`, `quarantine_${STAGE}`, `gold_${STAGE}`]);
  });

  it.each(tables)('%s has its columns, partitions, location and formats', (sqlName, database, columns, partitions, location, formats) => {
    const [databaseName, tableName] = sqlName.split('.');
    const table = ofType('AWS::Glue::Table').find(([, p]) => (p['TableInput'] as Properties)['Name'] === tableName && JSON.stringify(p['DatabaseName']) === JSON.stringify({ Ref: database }));
    const input = table?.[1]['TableInput'] as { PartitionKeys: unknown; StorageDescriptor: Properties; TableType: string };

    expect((props(database)['DatabaseInput'] as Properties)['Name']).toBe(databaseName);
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor['Columns']).toEqual(cols(columns));
    expect(input.PartitionKeys).toEqual(cols(partitions));
    expect(input.StorageDescriptor).toMatchObject({ Location: location, ...formats });
  });

  it.each([
    ['rows', layout.quarantine.tablePrefix()],
    ['condemned', layout.condemned.tablePrefix()],
  ])('quarantine.%s projects ingest_date partitions onto the layout (no registration needed)', (tableName, prefix) => {
    const [, table] = ofType('AWS::Glue::Table').find(([, p]) => (p['TableInput'] as Properties)['Name'] === tableName) ?? [];
    const parameters = (table?.['TableInput'] as { Parameters: Properties }).Parameters;
    const template = String(resolve(parameters['storage.location.template'])).replace('${!ingest_date}', '2024-01-05');

    expect(parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.ingest_date.type': 'date', 'projection.ingest_date.format': 'yyyy-MM-dd' });
    expect(template).toBe(`s3://${prefix.bucket}/${prefix.prefix}ingest_date=2024-01-05/`);
  });

  it('the Athena workgroup enforces its result location in the artifacts bucket (SSE) and a 10 GB scan limit', () => {
    expect(props('AthenaWorkGroup')).toMatchObject({
      Name: `ledgerlake-${STAGE}`,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: `s3://${buckets.artifacts}/athena-results/`,
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });
});

describe('audit', () => {
  it('CloudTrail records every object read and write in Gold, Quarantine and the work areas, into its own bucket', () => {
    const trail = props('DataAccessTrail');

    expect(trail).toMatchObject({ TrailName: `ledgerlake-${STAGE}-data-access`, IsLogging: true, EnableLogFileValidation: true, S3BucketName: { Ref: 'TrailBucket' } });
    expect(resolve(trail['EventSelectors'])).toEqual([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: false,
        DataResources: [
          { Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${buckets.gold}/`, `arn:aws:s3:::${buckets.quarantine}/`, `arn:aws:s3:::${buckets.artifacts}/work/`] },
        ],
      },
    ]);
    expect(asList(resource('DataAccessTrail').DependsOn)).toEqual(['TrailBucketPolicy']);
  });

  it("the trail bucket lets CloudTrail deliver this trail's logs and nothing else in", () => {
    const statements = (props('TrailBucketPolicy')['PolicyDocument'] as { Statement: Properties[] }).Statement;
    const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/ledgerlake-${STAGE}-data-access`;
    const allows = statements.filter((s) => s['Effect'] === 'Allow');

    expect(allows.map((s) => s['Principal'])).toEqual([{ Service: 'cloudtrail.amazonaws.com' }, { Service: 'cloudtrail.amazonaws.com' }]);
    expect(allows.map((s) => [s['Action'], resolve(s['Resource'])])).toEqual([
      ['s3:GetBucketAcl', `arn:aws:s3:::${TRAIL_BUCKET}`],
      ['s3:PutObject', `arn:aws:s3:::${TRAIL_BUCKET}/AWSLogs/${ACCOUNT}/*`],
    ]);
    for (const statement of allows) {
      expect(resolve((statement['Condition'] as { StringEquals: Properties }).StringEquals['aws:SourceArn'])).toBe(trailArn);
    }
  });
});

describe('outputs', () => {
  it('exports what other stacks might need under stage-prefixed names', () => {
    const exported = Object.values(template.Outputs ?? {}).map((output) => (output as { Export?: { Name: string } }).Export?.Name);

    expect(exported).toEqual(
      expect.arrayContaining(
        ['state-machine-arn', 'starter-arn', 'data-key-arn', 'alerts-key-arn', 'etl-failures-topic-arn', 'quarantine-alerts-topic-arn', 'etl-failures-queue-arn', 'etl-failures-dlq-arn', 'athena-workgroup'].map(
          (name) => `ledgerlake-${STAGE}-${name}`,
        ),
      ),
    );
  });
});

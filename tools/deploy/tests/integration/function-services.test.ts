import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertConsumerConfigSchema } from '@ledgerlake/alert-consumer';
import { STATE_MACHINE_STORE } from '@ledgerlake/cli';
import { type AslState, type AslStates, loadDefinition } from '@ledgerlake/state-machine';
import { BreakerEnvSchema, breakerLimitsFromEnv, GateEnvSchema, gateLimitsFromEnv, parseConfig, RowRulesEnvSchema } from '@ledgerlake/config';
import { DEFAULT_QUALITY_POLICY } from '@ledgerlake/domain';
import { EnrichmentConfigSchema } from '@ledgerlake/enrichment';
import { LoopPreventionConfigSchema } from '@ledgerlake/loop-prevention';
import { PartitionWriterConfigSchema } from '@ledgerlake/partition-writer';
import { PromotionConfigSchema } from '@ledgerlake/promotion';
import { RunRecorderConfigSchema } from '@ledgerlake/run-recorder';
import { createLakeLayout, PUBLISHED_TABLE_NAMES, stageBuckets } from '@ledgerlake/storage';
import { ValidationConfigSchema } from '@ledgerlake/validation';
import type { z } from 'zod';
import {
  bundleDir,
  FUNCTION_SERVICES,
  type FunctionService,
  INFRA_SERVICE_DIR,
  serviceDir,
  WORKSPACE_ROOT,
} from '../../src/function-services';
import { type AccessRequest, asList, isAllowed, type PolicyStatement, roleStatements, wildcardMatch } from '../../src/iam-policy';
import { type CfnTemplate, packageService, PACKAGE_DIR, readPackagedTemplate } from '../../src/package-service';
import { accessRequest, type S3Access } from '../../src/recording-object-store';
import { recordRowPipelineAccesses } from '../../src/row-pipeline-accesses';
import { deploymentBucketFindings } from '../../src/deployment-bucket';
import { copyInfraService, DEPLOYMENT_BUCKET_SETTINGS } from '../../src/infra-service';
import { readZipEntryNames } from '../../src/zip-entries';

/*
 * Packages each function service with osls — its real serverless.yml, a stub bundle where the
 * build would put it — offline, then checks the CloudFormation it would deploy against what the
 * function needs: its runtime, its configuration schema, and the S3 keys it actually touches
 * (recorded by running the row-pipeline definition through the local runner, with the functions'
 * own handlers, on a stage's buckets: src/row-pipeline-accesses.ts).
 */

const STAGE = 'ci';
const REGION = 'eu-west-1';
const PACKAGING_TIMEOUT_MS = 240_000;

const CONFIG_SCHEMAS: Record<FunctionService, z.ZodObject> = {
  enrichment: EnrichmentConfigSchema,
  'loop-prevention': LoopPreventionConfigSchema,
  validation: ValidationConfigSchema,
  'partition-writer': PartitionWriterConfigSchema,
  promotion: PromotionConfigSchema,
  'run-recorder': RunRecorderConfigSchema,
  'alert-consumer': AlertConsumerConfigSchema,
};

/**
 * Memory: the three that parse or write Parquet in bulk (promotion rebuilds Gold from every Silver
 * month from the run's on) get the most CPU; the other row functions a full vCPU (1769 MB); the
 * run recorder, which writes two small JSON objects, 512 MB; the alert consumer, small JSON and
 * one HTTPS call per message, 256 MB.
 */
const MEMORY_MB: Record<FunctionService, number> = {
  enrichment: 3008,
  'loop-prevention': 10240,
  validation: 1769,
  'partition-writer': 3008,
  promotion: 3008,
  'run-recorder': 512,
  'alert-consumer': 256,
};

/**
 * Timeout: the row functions and promotion get Lambda's 15 minutes (the Promote and RefreshGold
 * Tasks' TimeoutSeconds); the run recorder 60 s (its Task's TimeoutSeconds); the alert consumer
 * 30 s (its queue's visibility timeout is six times that).
 */
const TIMEOUT_S: Record<FunctionService, number> = {
  enrichment: 900,
  'loop-prevention': 900,
  validation: 900,
  'partition-writer': 900,
  promotion: 900,
  'run-recorder': 60,
  'alert-consumer': 30,
};

/** Variables every function gets beside its configuration (read by Powertools, the SDK and Node). */
const RUNTIME_VARIABLES = (service: FunctionService): Record<string, string> => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: 'LedgerLake',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
  NODE_OPTIONS: '--enable-source-maps',
});

const S3_ACTIONS = new Set(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket', 's3:DeleteObject']);
const LOG_ACTIONS = new Set(['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource', 'logs:PutLogEvents']);
const XRAY_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
const KMS_ACTIONS = new Set(['kms:Decrypt', 'kms:GenerateDataKey']);
const ACCOUNT_ID = '123456789012';
/** The alert consumer's webhook URL (an SSM SecureString) and the queue it consumes. */
const WEBHOOK_PARAMETER_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/ledgerlake/${STAGE}/slack-webhook-url`;
const ALERT_QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:ledgerlake-${STAGE}-etl-failures`;
const SQS_CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The pseudo parameters as deployed in REGION / ACCOUNT_ID, in the standard partition, and the stage. */
const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT_ID,
  'AWS::URLSuffix': 'amazonaws.com',
  // The infrastructure template's own parameter (it fills the state machines' #{Stage}).
  Stage: STAGE,
};

/** A CloudFormation value as deployed: `Ref`s of the pseudo parameters, `Fn::Sub` and `Fn::Join` resolved. */
function resolveCfn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveCfn);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const ref = object['Ref'];
  if (typeof ref === 'string' && PSEUDO[ref] !== undefined) return PSEUDO[ref];
  const sub = object['Fn::Sub'];
  if (typeof sub === 'string') {
    return sub.replace(/\$\{([^}]+)\}/g, (match, name: string) => {
      const found = PSEUDO[name];
      if (found === undefined) throw new Error(`deploy: no value for \${${name}} in ${sub}`);
      return found;
    });
  }
  const join = object['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(resolveCfn).join(join[0]);
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveCfn(item)]));
}

/** The statements of a role, their ARNs and condition values resolved as deployed. */
function resolvedRoleStatements(template: CfnTemplate, roleId?: string): PolicyStatement[] {
  return roleStatements(template, roleId).map((statement) => resolveCfn(statement) as PolicyStatement);
}

/** A KMS statement for the webhook SecureString: decrypt through SSM only (the S3 data key is checked apart). */
function decryptsViaSsm(statement: PolicyStatement): boolean {
  return JSON.stringify(statement.Condition ?? {}).includes(`"kms:ViaService":"ssm.${REGION}.amazonaws.com"`);
}

/** A KMS statement for an encrypted topic: through SNS only (the S3 data key is checked apart). */
function encryptsViaSns(statement: PolicyStatement): boolean {
  return JSON.stringify(statement.Condition ?? {}).includes(`"kms:ViaService":"sns.${REGION}.amazonaws.com"`);
}

/** Promotion's Glue actions (src/glue-catalog.ts) and the catalog objects they are allowed on. */
const GLUE_ACTIONS = ['glue:GetTable', 'glue:GetPartition', 'glue:CreatePartition', 'glue:UpdatePartition'];
const GLUE_ARN = `arn:aws:glue:${REGION}:${ACCOUNT_ID}`;
/** RefreshGold's temporary tables (apps/promotion/src/gold-athena.ts), created and dropped by its Athena statements. */
const GOLD_BUILD_GLUE_ACTIONS = ['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:DeleteTable', 'glue:GetPartitions', 'glue:BatchCreatePartition'];
/** The stage's SQL schemas (Glue databases), `silver_<stage>` and `gold_<stage>`: two stages can share an account. */
const SILVER_DATABASE = `silver_${STAGE}`;
const GOLD_DATABASE = `gold_${STAGE}`;
const GOLD_BUILD_GLUE_RESOURCES = [`${GLUE_ARN}:catalog`, `${GLUE_ARN}:database/${GOLD_DATABASE}`, `${GLUE_ARN}:table/${GOLD_DATABASE}/gold_build_*`];
const ATHENA_ACTIONS = ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'];
const ATHENA_WORKGROUP_ARN = `arn:aws:athena:${REGION}:${ACCOUNT_ID}:workgroup/ledgerlake-${STAGE}`;
/** Athena's own S3 call for the results bucket (its region), which no store call makes: granted to promotion only. */
const isAthenaBucketLookup = (service: string, grant: { action: string; resource: string }): boolean =>
  service === 'promotion' && grant.action === 's3:GetBucketLocation' && grant.resource === `arn:aws:s3:::ledgerlake-${STAGE}-artifacts`;
const GLUE_RESOURCES = [
  `${GLUE_ARN}:catalog`,
  `${GLUE_ARN}:database/${SILVER_DATABASE}`,
  `${GLUE_ARN}:database/${GOLD_DATABASE}`,
  `${GLUE_ARN}:table/${SILVER_DATABASE}/transactions`,
  `${GLUE_ARN}:table/${GOLD_DATABASE}/account_balances`,
  `${GLUE_ARN}:table/${GOLD_DATABASE}/monthly_reports`,
];
/** The topic promotion publishes blocked runs to (the infrastructure service's). */
const ETL_FAILURES_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:ledgerlake-${STAGE}-etl-failures`;
/** The executions of this stage's state machine: whose status tells whether a claim's or a promotion's holder runs. */
const STAGE_EXECUTIONS_ARN = `arn:aws:states:${REGION}:${ACCOUNT_ID}:execution:ledgerlake-${STAGE}:*`;
/** The map runs of the stage's row pipeline (its Distributed Maps' iterations). */
const STAGE_MAP_RUNS_ARN = `arn:aws:states:${REGION}:${ACCOUNT_ID}:mapRun:ledgerlake-${STAGE}/*`;
/** The functions that ask whether a holder's execution still runs (StepFunctionsLiveness). */
const ASKS_EXECUTION_STATUS = new Set(['loop-prevention', 'promotion']);

interface Packaged {
  readonly template: CfnTemplate;
  readonly zipEntries: string[];
}

interface LambdaFunction {
  readonly FunctionName: string;
  readonly Handler: string;
  readonly Runtime: string;
  readonly Architectures: string[];
  readonly MemorySize: number;
  readonly Timeout: number;
  readonly TracingConfig?: { Mode: string };
  readonly Environment: { Variables: Record<string, string> };
}

function resourcesOfType(template: CfnTemplate, type: string): Record<string, unknown>[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties ?? {});
}

function onlyFunction(template: CfnTemplate): LambdaFunction {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  return functions[0] as unknown as LambdaFunction;
}

function actionsOf(statement: PolicyStatement): string[] {
  return asList<string>(statement.Action);
}

/** The statements that allow some S3 action (a `Deny` only narrows them). */
function s3Statements(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return statements.filter(
    (statement) =>
      statement.Effect === 'Allow' && actionsOf(statement).some((action) => action.toLowerCase().startsWith('s3:')),
  );
}

function prefixPatterns(statement: PolicyStatement): string[] {
  return Object.entries(statement.Condition ?? {})
    .filter(([operator]) => operator === 'StringLike' || operator === 'StringEquals')
    .flatMap(([, keys]) => asList<string>(keys['s3:prefix']));
}

/** A grant: one action on one resource pattern (and, for ListBucket, one `s3:prefix` pattern). */
interface S3Grant {
  readonly sid: string;
  readonly action: string;
  readonly resource: string;
  readonly prefix?: string;
}

function s3Grants(statements: readonly PolicyStatement[]): S3Grant[] {
  return s3Statements(statements).flatMap((statement) =>
    actionsOf(statement).flatMap((action) =>
      asList<unknown>(statement.Resource).flatMap((resource): S3Grant[] => {
        const sid = statement.Sid ?? '(no Sid)';
        const base = { sid, action, resource: String(resource) };
        if (action !== 's3:ListBucket') return [base];
        const prefixes = prefixPatterns(statement);
        return prefixes.length === 0 ? [base] : prefixes.map((prefix) => ({ ...base, prefix }));
      }),
    ),
  );
}

function grantUsedBy(grant: S3Grant, access: S3Access): boolean {
  const request = accessRequest(access);
  if (grant.action !== access.action || !wildcardMatch(grant.resource, request.resource)) return false;
  return grant.prefix === undefined || wildcardMatch(grant.prefix, access.key);
}

function describeAccess(access: S3Access): string {
  return `${access.action} s3://${access.bucket}/${access.key}`;
}

/** A request a role must never be allowed to make, and why. */
interface MustDeny {
  readonly request: AccessRequest;
  readonly why: string;
}

const objectRequest = (action: string, bucket: string, key: string): AccessRequest => ({
  action,
  resource: `arn:aws:s3:::${bucket}/${key}`,
});

/**
 * What no function role may do: touch another bucket or another stage's buckets (each access it
 * makes, moved to stage `prod`), change Bronze, write Gold unless it is promotion, and — unless it
 * is promotion, the only publisher — write or delete what a published partition serves: its
 * `current/` objects, its `_LATEST.json` commit point, its `_versions/` and the `_manifests/` the
 * catalog's partitions point at (IAM's `*` spans `/`, so a run-folder grant must not reach them).
 */
function mustDeny(service: FunctionService): MustDeny[] {
  const month = { year: 2024, month: 1 };
  const runId = '20240105T090000Z-0123456789ab';
  const prod = stageBuckets('ledgerlake-prod');
  const otherStage = accesses.filter((access) => access.actor === service).map((access): MustDeny => {
    const logical = (Object.keys(buckets) as (keyof typeof buckets)[]).find((name) => buckets[name] === access.bucket);
    const moved = { ...access, bucket: logical === undefined ? 'not-a-lake-bucket' : prod[logical] };
    return { request: accessRequest(moved), why: `another stage's ${logical ?? 'bucket'}` };
  });
  const otherBucket = ['s3:GetObject', 's3:PutObject'].map(
    (action): MustDeny => ({ request: objectRequest(action, 'another-teams-bucket', 'mortgages/transactions/x.csv'), why: 'a bucket outside the lake' }),
  );
  const bronzeKey = layout.bronze.file('2024-01-05', 'transactions.csv');
  const bronze = ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl'].map(
    (action): MustDeny => ({ request: objectRequest(action, bronzeKey.bucket, bronzeKey.key), why: 'Bronze is immutable' }),
  );
  const publishedTables = [layout.silver, layout.gold.accountBalances, layout.gold.monthlyReports];
  const served = publishedTables.flatMap((table) => [
    table.currentObject(month, 'part-00000.parquet'),
    table.currentObject(month, `run_id=${runId}/part-00000.parquet`),
    table.latest(month),
    table.version(month, 3),
    table.manifest(month, 3, runId),
  ]);
  const publishing =
    service === 'promotion'
      ? []
      : served.flatMap((ref) =>
          ['s3:PutObject', 's3:DeleteObject'].map(
            (action): MustDeny => ({ request: objectRequest(action, ref.bucket, ref.key), why: 'only promotion publishes' }),
          ),
        );
  const goldRun = layout.gold.accountBalances.runPart(month, runId, 0);
  const gold =
    service === 'promotion'
      ? []
      : [{ request: objectRequest('s3:PutObject', goldRun.bucket, goldRun.key), why: 'Gold is built by promotion' }];
  return [...otherStage, ...otherBucket, ...bronze, ...publishing, ...gold];
}

/** The statements of every bucket policy of a template (their `Deny` applies to every principal). */
function bucketPolicyStatements(template: CfnTemplate): PolicyStatement[] {
  return resourcesOfType(template, 'AWS::S3::BucketPolicy').flatMap(
    (policy) => (policy['PolicyDocument'] as { Statement: PolicyStatement[] }).Statement,
  );
}

const workDir = { path: '' };
const packaged = new Map<FunctionService, Packaged>();
let accesses: readonly S3Access[] = [];
let infraTemplate: CfnTemplate;
const buckets = stageBuckets(`ledgerlake-${STAGE}`);
const layout = createLakeLayout(buckets);
/** The layers encrypted with the data key: those that hold rows (the artifacts bucket's work areas hold full copies). */
const encryptedBuckets = new Set([buckets.silver, buckets.gold, buckets.quarantine, buckets.artifacts]);

beforeAll(async () => {
  // The services' relative paths (../../dist/apps/<name>/…) resolve in a copy of the workspace's
  // shape: apps/<name>/serverless.yml beside a stub bundle, plus decoys that must stay out of the zip.
  workDir.path = await mkdtemp(join(tmpdir(), 'ledgerlake-deploy-'));
  await mkdir(join(workDir.path, 'tools', 'serverless'), { recursive: true });
  await copyFile(join(WORKSPACE_ROOT, DEPLOYMENT_BUCKET_SETTINGS), join(workDir.path, DEPLOYMENT_BUCKET_SETTINGS));
  await Promise.all(
    FUNCTION_SERVICES.map(async (service) => {
      const dir = join(workDir.path, serviceDir(service));
      const bundle = join(workDir.path, bundleDir(service));
      await mkdir(join(dir, 'src'), { recursive: true });
      await mkdir(bundle, { recursive: true });
      await copyFile(join(WORKSPACE_ROOT, serviceDir(service), 'serverless.yml'), join(dir, 'serverless.yml'));
      await writeFile(join(dir, 'src', 'handler.ts'), 'export const handler = async () => ({});\n');
      await writeFile(join(bundle, 'handler.js'), 'exports.handler = async () => ({});\n');
      await writeFile(join(bundle, 'handler.js.map'), '{"version":3,"sources":[],"mappings":""}\n');
      await writeFile(join(bundle, 'meta.json'), '{}\n');
    }),
  );
  const packaging = FUNCTION_SERVICES.map(async (service) => {
    const dir = join(workDir.path, serviceDir(service));
    await packageService(dir, STAGE);
    const template = await readPackagedTemplate(dir);
    const zipEntries = await readZipEntryNames(join(dir, PACKAGE_DIR, `ledgerlake-${service}.zip`));
    packaged.set(service, { template, zipEntries });
  });
  const infra = (async () => {
    const dir = await copyInfraService(workDir.path);
    await packageService(dir, STAGE);
    infraTemplate = await readPackagedTemplate(dir);
  })();
  const [recorded] = await Promise.all([recordRowPipelineAccesses(STAGE), infra, ...packaging]);
  accesses = recorded.accesses;
}, PACKAGING_TIMEOUT_MS);

afterAll(async () => {
  if (workDir.path !== '') await rm(workDir.path, { recursive: true, force: true });
});

function packagedService(service: FunctionService): Packaged {
  const result = packaged.get(service);
  if (result === undefined) throw new Error(`deploy: ${service} was not packaged`);
  return result;
}

/** Every Task state of a definition, through Map item processors. */
function tasksOf(states: AslStates): [string, AslState][] {
  return Object.entries(states.States).flatMap(([name, state]): [string, AslState][] => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...(state.ItemProcessor === undefined ? [] : tasksOf(state.ItemProcessor)),
  ]);
}

describe("the row-pipeline state machine's role", () => {
  // Its Distributed Maps' ItemReader and ResultWriter, as the recording's STATE_MACHINE_STORE saw them.
  const used = (): S3Access[] => accesses.filter((access) => access.actor === STATE_MACHINE_STORE);
  const statements = (): PolicyStatement[] => s3Statements(resolvedRoleStatements(infraTemplate, 'RowPipelineRole'));

  it('allows every S3 access its Distributed Maps make (recorded on runs of the state machine)', () => {
    const denied = used().filter((access) => !isAllowed(statements(), accessRequest(access)));

    expect(used().map((access) => access.action)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    expect([...new Set(denied.map(describeAccess))]).toEqual([]);
  });

  it('reads and writes nothing but the Map items and results of the work area', () => {
    const keys = [...new Set(used().map((access) => `${access.action} ${access.bucket}/${access.key}`))];

    expect(keys.filter((key) => !/^s3:(GetObject|PutObject) ledgerlake-ci-artifacts\/work\/[^/]+\/(plan\/chunks\.json|enriched\/parts\.json|map-results\/(chunks|parts)\/[0-9a-f-]{36}\/(manifest|SUCCEEDED_0|FAILED_0)\.json)$/.test(key))).toEqual([]);
  });
});

describe.each(FUNCTION_SERVICES)('the %s service', (service) => {
  const template = (): CfnTemplate => packagedService(service).template;
  const statements = (): PolicyStatement[] => resolvedRoleStatements(template());
  const used = (): S3Access[] => accesses.filter((access) => access.actor === service);

  it('runs Node.js 22 on arm64 with X-Ray tracing, its memory and its timeout', () => {
    const fn = onlyFunction(template());

    expect(fn).toMatchObject({
      FunctionName: `ledgerlake-${STAGE}-${service}`,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: MEMORY_MB[service],
      Timeout: TIMEOUT_S[service],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('is waited for by every Task of the state machine that calls it for longer than it may run', () => {
    const waits = tasksOf(loadDefinition({ region: REGION, accountId: '123456789012', stage: STAGE }))
      .filter(([, state]) => state.Resource?.endsWith(`:function:ledgerlake-${STAGE}-${service}`))
      .map(([name, state]) => [name, state['TimeoutSeconds']] as const);

    // A Task that gives up first leaves the function writing while the failure path runs (it may
    // release the file's claim while FinishRun still seals Silver).
    expect(waits.filter(([, seconds]) => typeof seconds !== 'number' || seconds <= TIMEOUT_S[service])).toEqual([]);
  });

  it('keeps its code in a versioned, encrypted, TLS-only deployment bucket that blocks public access', () => {
    expect(deploymentBucketFindings(template())).toEqual([]);
  });

  it('names no partition literally: every ARN is built on AWS::Partition (aws-cn, aws-us-gov)', () => {
    expect(JSON.stringify(template()).match(/arn:aws[a-z-]*:[^"]*/g) ?? []).toEqual([]);
  });

  it('keeps its logs 30 days', () => {
    const groups = resourcesOfType(template(), 'AWS::Logs::LogGroup');

    expect(groups).toEqual([{ LogGroupName: `/aws/lambda/ledgerlake-${STAGE}-${service}`, RetentionInDays: 30 }]);
  });

  it('packages only the esbuild bundle and its source map, and the handler is in it', () => {
    const { zipEntries } = packagedService(service);
    const handler = onlyFunction(template()).Handler;
    const bundle = `${bundleDir(service)}/handler.js`;

    expect([...zipEntries].sort()).toEqual([bundle, `${bundle}.map`]);
    expect(handler).toBe(`${bundleDir(service)}/handler.handler`);
    expect(zipEntries).toContain(`${handler.slice(0, handler.lastIndexOf('.'))}.js`);
  });

  it('sets every variable its config schema requires, and the function would start with them', () => {
    const schema = CONFIG_SCHEMAS[service];
    const env = onlyFunction(template()).Environment.Variables;
    const required = Object.keys(schema.shape).filter((key) => !schema.shape[key]?.safeParse(undefined).success);

    expect(required.length).toBeGreaterThan(0);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(required));
    // As deployed: a value built with Fn::Join (a topic ARN) is a string by then.
    expect(() => parseConfig(schema, resolveCfn(env) as Record<string, string>, service)).not.toThrow();
  });

  it('sets nothing but its configuration and the Powertools / runtime variables', () => {
    const env = onlyFunction(template()).Environment.Variables;
    const known = new Set([...Object.keys(CONFIG_SCHEMAS[service].shape), ...Object.keys(RUNTIME_VARIABLES(service))]);

    expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
    expect(env).toMatchObject(RUNTIME_VARIABLES(service));
  });

  it("names the stage's buckets as the lake layout does (no cross-stack references)", () => {
    const env = onlyFunction(template()).Environment.Variables;

    expect({
      bronze: env['BRONZE_BUCKET'],
      silver: env['SILVER_BUCKET'],
      gold: env['GOLD_BUCKET'],
      quarantine: env['QUARANTINE_BUCKET'],
      artifacts: env['ARTIFACTS_BUCKET'],
    }).toEqual(buckets);
  });

  it('grants no s3:* or wildcard S3 action, nothing on "*", and no whole bucket', () => {
    const problems = s3Grants(statements()).filter((grant) => {
      if (isAthenaBucketLookup(service, grant)) return false;
      if (!S3_ACTIONS.has(grant.action)) return true;
      const match = /^arn:aws:s3:::([a-z0-9.-]+)(?:\/(.*))?$/.exec(grant.resource);
      if (!match || !Object.values(buckets).includes(match[1] as string)) return true;
      if (grant.action === 's3:ListBucket') {
        // A listing must be narrowed to key prefixes that start with at least one literal folder.
        return match[2] !== undefined || grant.prefix === undefined || !/^[^*?]+\//.test(grant.prefix);
      }
      // An object grant names a key pattern that starts with at least one literal folder.
      return match[2] === undefined || !/^[^*?]+\//.test(match[2]);
    });

    expect(s3Grants(statements()).length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('allows every S3 access it makes (recorded on runs of the state machine)', () => {
    const denied = used().filter((access) => !isAllowed(statements(), accessRequest(access)));

    expect(used().length).toBeGreaterThan(0);
    expect([...new Set(denied.map(describeAccess))]).toEqual([]);
  });

  it('grants no S3 access it does not make: every grant is within the keys it touches', () => {
    const unused = s3Grants(statements()).filter(
      (grant) => !isAthenaBucketLookup(service, grant) && !used().some((access) => grantUsedBy(grant, access)),
    );

    expect(unused).toEqual([]);
  });

  it('is denied every request on the must-deny list (other buckets and stages, publishing, Bronze changes, Gold from a row function)', () => {
    const denied = mustDeny(service);
    const allowed = denied.filter(({ request }) => isAllowed(statements(), request));

    expect(denied.length).toBeGreaterThan(20);
    expect(allowed.map(({ request, why }) => `${request.action} ${request.resource}: ${why}`)).toEqual([]);
  });

  it('is denied every access it makes when the request comes without TLS (the bucket policies)', () => {
    const withBucketPolicies = [...statements(), ...bucketPolicyStatements(infraTemplate).map((statement) => resolveCfn(statement) as PolicyStatement)];
    const plain = used().map((access) => {
      const request = accessRequest(access);
      return { ...request, context: { ...request.context, 'aws:SecureTransport': 'false' } };
    });

    expect(used().length).toBeGreaterThan(0);
    expect(plain.filter((request) => isAllowed(withBucketPolicies, request)).map((r) => `${r.action} ${r.resource}`)).toEqual([]);
  });

  it('may use the data key exactly as far as it reads or writes the encrypted layers', () => {
    const encrypted = used().filter((access) => encryptedBuckets.has(access.bucket));
    const expected = new Set<string>();
    // Reading an SSE-KMS object decrypts its data key; writing one generates a data key, and
    // completing a multipart upload decrypts it again.
    const decrypts = encrypted.some((a) => a.action === 's3:GetObject' || a.action === 's3:AbortMultipartUpload');
    if (decrypts) expected.add('kms:Decrypt');
    if (encrypted.some((a) => a.action === 's3:PutObject')) expected.add('kms:GenerateDataKey');
    // The alert consumer's SSM and promotion's SNS statements are checked on their own below.
    const kms = statements().filter(
      (statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')) &&
        !decryptsViaSsm(statement) &&
        !(service === 'promotion' && encryptsViaSns(statement)),
    );

    expect(new Set(kms.flatMap(actionsOf))).toEqual(expected);
    for (const statement of kms) {
      expect(statement.Resource).toBe(`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/*`);
      expect(statement.Condition).toEqual({
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/ledgerlake-${STAGE}-data` },
        StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
      });
    }
  });

  it('uses no NotAction, NotResource or NotPrincipal, and every statement names its actions and resources', () => {
    const loose = statements().filter(
      (statement) =>
        ['NotAction', 'NotResource', 'NotPrincipal'].some((key) => key in statement) ||
        actionsOf(statement).length === 0 ||
        asList<unknown>(statement.Resource).length === 0,
    );

    expect(statements().length).toBeGreaterThan(0);
    expect(loose).toEqual([]);
  });

  it('grants no wildcard action, and nothing on "*" but X-Ray (which has no resource-level permissions)', () => {
    const problems = statements()
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        actionsOf(statement).flatMap((action) => {
          if (/[*?]/.test(action)) return [`${action}: wildcard action`];
          const onEverything = asList<unknown>(statement.Resource).some((resource) => resource === '*');
          return onEverything && !XRAY_ACTIONS.has(action) ? [`${action} on "*"`] : [];
        }),
      );

    expect(problems).toEqual([]);
  });

  it('writes logs to its own log group only, on every resource of every logs statement', () => {
    const logStatements = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
    const foreign = logStatements
      .flatMap((statement) => asList<unknown>(statement.Resource))
      .filter((resource) => !JSON.stringify(resource).includes(`log-group:/aws/lambda/ledgerlake-${STAGE}-${service}:`));

    expect(logStatements.length).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
  });

  it('grants nothing else than writing its own logs and X-Ray segments', () => {
    const others = statements().filter((statement) => {
      const actions = actionsOf(statement);
      if (statement.Effect === 'Deny') return false;
      if (actions.every((action) => S3_ACTIONS.has(action) || KMS_ACTIONS.has(action))) return false;
      if (actions.every((action) => XRAY_ACTIONS.has(action))) return false;
      if (service === 'alert-consumer') {
        const resources = asList<unknown>(resolveCfn(statement.Resource));
        if (actions.join() === 'ssm:GetParameter' && resources.join() === WEBHOOK_PARAMETER_ARN) return false;
        if (actions.every((action) => SQS_CONSUMER_ACTIONS.includes(action)) && resources.join() === ALERT_QUEUE_ARN) return false;
      }
      if (ASKS_EXECUTION_STATUS.has(service)) {
        const resources = asList<unknown>(resolveCfn(statement.Resource));
        if (actions.join() === 'states:DescribeExecution' && resources.join() === STAGE_EXECUTIONS_ARN) return false;
      }
      // The run recorder's report draws the timeline of its own stage's executions.
      if (service === 'run-recorder' && actions.join() === 'states:GetExecutionHistory' && asList<unknown>(resolveCfn(statement.Resource)).join() === STAGE_EXECUTIONS_ARN) return false;
      if (service === 'run-recorder' && actions.join() === 'states:DescribeMapRun' && asList<unknown>(resolveCfn(statement.Resource)).join() === STAGE_MAP_RUNS_ARN) return false;
      if (service === 'promotion') {
        const resources = asList<unknown>(resolveCfn(statement.Resource));
        if (actions.join() === GLUE_ACTIONS.join() && resources.join() === GLUE_RESOURCES.join()) return false;
        if (actions.join() === GOLD_BUILD_GLUE_ACTIONS.join() && resources.join() === GOLD_BUILD_GLUE_RESOURCES.join()) return false;
        if (actions.join() === ATHENA_ACTIONS.join() && resources.join() === ATHENA_WORKGROUP_ARN) return false;
        if (actions.join() === 's3:GetBucketLocation' && resources.join() === `arn:aws:s3:::ledgerlake-${STAGE}-artifacts`) return false;
        if (actions.join() === 'sns:Publish' && resources.join() === ETL_FAILURES_TOPIC_ARN) return false;
      }
      if (actions.every((action) => LOG_ACTIONS.has(action))) {
        return !JSON.stringify(statement.Resource).includes(`log-group:/aws/lambda/ledgerlake-${STAGE}-${service}:`);
      }
      return true;
    });

    expect(others).toEqual([]);
  });

  it("may ask the status of its own stage's executions only if it needs to tell a dead run, and read their history only to report a run", () => {
    const asks = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:')));

    expect(asks.map((statement) => [actionsOf(statement), asList<unknown>(resolveCfn(statement.Resource))])).toEqual([
      ...(ASKS_EXECUTION_STATUS.has(service) ? [[['states:DescribeExecution'], [STAGE_EXECUTIONS_ARN]]] : []),
      ...(service === 'run-recorder' ? [[['states:GetExecutionHistory'], [STAGE_EXECUTIONS_ARN]], [['states:DescribeMapRun'], [STAGE_MAP_RUNS_ARN]]] : []),
    ]);
  });
});

describe('the alert-consumer service', () => {
  const template = (): CfnTemplate => packagedService('alert-consumer').template;
  const statements = (): PolicyStatement[] => resolvedRoleStatements(template());

  it('reads its webhook parameter, and only it, and decrypts it only through SSM for that parameter', () => {
    const ssm = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));
    const kms = statements().filter(decryptsViaSsm);
    const env = onlyFunction(template()).Environment.Variables;

    expect(ssm).toEqual([expect.objectContaining({ Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: WEBHOOK_PARAMETER_ARN })]);
    expect(`arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${env['SLACK_WEBHOOK_PARAMETER']}`).toBe(WEBHOOK_PARAMETER_ARN);
    expect(env).not.toHaveProperty('SLACK_WEBHOOK_URL');
    expect(kms).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt'],
        Resource: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/*`,
        Condition: {
          StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': WEBHOOK_PARAMETER_ARN },
        },
      }),
    ]);
  });

  it('consumes the etl-failures queue in batches with partial batch responses', () => {
    const mappings = resourcesOfType(template(), 'AWS::Lambda::EventSourceMapping').map(resolveCfn);
    const sqs = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));

    expect(mappings).toEqual([
      expect.objectContaining({ EventSourceArn: ALERT_QUEUE_ARN, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], Enabled: true }),
    ]);
    expect(sqs).toEqual([expect.objectContaining({ Action: SQS_CONSUMER_ACTIONS, Resource: [ALERT_QUEUE_ARN] })]);
  });
});

describe('the promotion service', () => {
  const template = (): CfnTemplate => packagedService('promotion').template;
  const statements = (): PolicyStatement[] => resolvedRoleStatements(template());
  const env = (): Record<string, string> => resolveCfn(onlyFunction(template()).Environment.Variables) as Record<string, string>;

  it("registers partitions in Glue (the four calls of its catalog, on the catalog, the two databases and the three tables only) and manages only its Gold builds' temporary tables", () => {
    const glue = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('glue:')));

    expect(glue).toEqual([
      { Sid: 'RegisterPublishedPartitions', Effect: 'Allow', Action: GLUE_ACTIONS, Resource: GLUE_RESOURCES },
      { Sid: 'ManageGoldBuildTables', Effect: 'Allow', Action: GOLD_BUILD_GLUE_ACTIONS, Resource: GOLD_BUILD_GLUE_RESOURCES },
    ]);
  });

  it('runs the Gold SQL in the workgroup the infrastructure service creates, and nowhere else', async () => {
    const athena = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('athena:')));
    const infra = await readFile(join(WORKSPACE_ROOT, INFRA_SERVICE_DIR, 'serverless.yml'), 'utf8');

    expect(athena).toEqual([{ Sid: 'RunGoldSql', Effect: 'Allow', Action: ATHENA_ACTIONS, Resource: ATHENA_WORKGROUP_ARN }]);
    expect(env()['ATHENA_WORKGROUP']).toBe(`ledgerlake-${STAGE}`);
    expect(infra).toMatch(/AthenaWorkGroup:\n\s+Type: AWS::Athena::WorkGroup\n\s+Properties:\n\s+Name: ledgerlake-\$\{sls:stage\}\n/);
  });

  it('names the Glue databases and tables the infrastructure service creates, and the ones its role allows', async () => {
    // The infrastructure's Glue resources (as packaged for the stage): a database's name, and the database and name of a table.
    const databaseName = (logicalId: string) =>
      (infraTemplate.Resources[logicalId]?.Properties?.['DatabaseInput'] as { Name?: string } | undefined)?.Name;
    const infraTables = resourcesOfType(infraTemplate, 'AWS::Glue::Table').map((table) => {
      const database = (table['DatabaseName'] as { Ref: string }).Ref;
      return `${GLUE_ARN}:table/${databaseName(database) ?? database}/${(table['TableInput'] as { Name: string }).Name}`;
    });
    const { GLUE_SILVER_DATABASE: silver, GLUE_GOLD_DATABASE: gold } = env();
    // The catalog names a table `<database of its schema>/<name in its SQL name>` (src/glue-catalog.ts).
    const tables = PUBLISHED_TABLE_NAMES.map((table) => {
      const [schema, name] = table.split('.') as ['silver' | 'gold', string];
      return `${GLUE_ARN}:table/${schema === 'silver' ? silver : gold}/${name}`;
    });

    expect([databaseName('SilverDatabase'), databaseName('GoldDatabase'), databaseName('QuarantineDatabase')]).toEqual([SILVER_DATABASE, GOLD_DATABASE, `quarantine_${STAGE}`]);
    expect([silver, gold]).toEqual([SILVER_DATABASE, GOLD_DATABASE]);
    expect(infraTables).toEqual(expect.arrayContaining(tables));
    expect(GLUE_RESOURCES).toEqual([`${GLUE_ARN}:catalog`, `${GLUE_ARN}:database/${silver}`, `${GLUE_ARN}:database/${gold}`, ...tables]);
  });

  it('publishes blocked runs to the etl-failures topic only, which its configuration names', () => {
    const sns = statements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('sns:')));

    expect(sns).toEqual([{ Sid: 'PublishBlockedRuns', Effect: 'Allow', Action: ['sns:Publish'], Resource: ETL_FAILURES_TOPIC_ARN }]);
    expect(env()['ETL_FAILURES_TOPIC_ARN']).toBe(ETL_FAILURES_TOPIC_ARN);
  });

  it('may use the alerts key only through SNS, to encrypt what it publishes', () => {
    const kms = statements().filter(encryptsViaSns);

    expect(kms).toEqual([
      {
        Sid: 'EncryptBlockedRunEvents',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/*`,
        Condition: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/ledgerlake-${STAGE}-alerts` },
          StringEquals: { 'kms:ViaService': `sns.${REGION}.amazonaws.com` },
        },
      },
    ]);
  });

  it('was recorded promoting, rebuilding Gold and blocking, and never touches the lake\'s own catalog (Glue is the cloud\'s)', () => {
    const used = accesses.filter((access) => access.actor === 'promotion');
    const catalogKeys = PUBLISHED_TABLE_NAMES.map((table) => layout.control.catalogPartition(table, { year: 2024, month: 1 }));
    const catalogAccess = catalogKeys.flatMap((ref) =>
      (['s3:GetObject', 's3:PutObject'] as const).filter((action) =>
        isAllowed(resolvedRoleStatements(template()), { action, resource: `arn:aws:s3:::${ref.bucket}/${ref.key}` }),
      ),
    );
    const wrote = (bucket: string, pattern: RegExp) =>
      used.some((access) => access.action === 's3:PutObject' && access.bucket === bucket && pattern.test(access.key));

    expect(used.filter((access) => access.key.startsWith('catalog/'))).toEqual([]);
    expect(catalogAccess).toEqual([]);
    expect(wrote(buckets.silver, /\/year=2024\/month=02\/schema_v=v1\/_versions\/v=000000002\.json$/)).toBe(true);
    expect(wrote(buckets.gold, /^finance\/account_balances\/.*\/current\/.*\.parquet$/)).toBe(true);
    expect(wrote(buckets.gold, /^finance\/monthly_reports\/.*\/_LATEST\.json$/)).toBe(true);
    expect(used.filter((access) => access.bucket === buckets.artifacts && access.key.endsWith('/run.json')).map((a) => a.key)).toEqual(
      expect.arrayContaining([expect.stringMatching(/-blocked\/run\.json$/)]),
    );
  });
});

describe('serverless-compose.yml', () => {
  it('lists exactly the infrastructure service and the function services', async () => {
    const compose = await readFile(join(WORKSPACE_ROOT, 'serverless-compose.yml'), 'utf8');
    const paths = [...compose.matchAll(/^\s+path:\s*(\S+)\s*$/gm)].map((match) => match[1]);

    expect(paths).toEqual([INFRA_SERVICE_DIR, ...FUNCTION_SERVICES.map((service) => `apps/${service}`)]);
  });

  it('runs osls through a shim whose --version compose can read, and hands other commands to osls', () => {
    const shim = join(WORKSPACE_ROOT, 'tools', 'serverless', 'bin', 'serverless');
    const run = (...args: string[]) => execFileSync(process.execPath, [shim, ...args], { encoding: 'utf8' });
    const { version } = require('serverless/package.json') as { version: string };

    // @serverless/compose 1.3.0 matches /Framework Core: ([0-9]+\.[0-9]+\.[0-9]+)/ and needs >= 3.7.7.
    expect(run('--version')).toMatch(new RegExp(`^Framework Core: ${version.replace(/\./g, '\\.')}\\b`));
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(4);
    expect(run('--version', '--verbose')).toContain(`osls version: ${version}`);
  });
});

describe('the quality policy', () => {
  const deployedEnv = (service: FunctionService) => resolveCfn(onlyFunction(packagedService(service).template).Environment.Variables) as Record<string, string>;

  // The data-quality alarms (infra/quality-alarms.js) are set from the policy's defaults: a stage
  // that set its own limits here would gate and trip where its alarms do not look.
  it('promotion gates at the quality policy\'s defaults: its deployment sets no gate limit of its own', () => {
    const env = deployedEnv('promotion');

    for (const key of Object.keys(GateEnvSchema.shape)) expect(env).not.toHaveProperty(key);
    expect(gateLimitsFromEnv(parseConfig(PromotionConfigSchema, env, 'promotion'))).toEqual(DEFAULT_QUALITY_POLICY.gate);
  });

  it('validation trips the breaker at the quality policy\'s defaults: its deployment sets no breaker limit of its own', () => {
    const env = deployedEnv('validation');

    for (const key of Object.keys(BreakerEnvSchema.shape)) expect(env).not.toHaveProperty(key);
    expect(breakerLimitsFromEnv(parseConfig(ValidationConfigSchema, env, 'validation'))).toEqual(DEFAULT_QUALITY_POLICY.breaker);
  });

  it('no other function reads a gate or breaker limit', () => {
    const keys = [...Object.keys(GateEnvSchema.shape), ...Object.keys(BreakerEnvSchema.shape)];
    for (const service of FUNCTION_SERVICES.filter((name) => name !== 'promotion' && name !== 'validation')) {
      expect(Object.keys(CONFIG_SCHEMAS[service].shape).filter((key) => keys.includes(key))).toEqual([]);
    }
  });
});

describe('row rules', () => {
  it('are read by validation alone: the partition writer applies its decisions and has no row rule to set', () => {
    const env = resolveCfn(onlyFunction(packagedService('partition-writer').template).Environment.Variables) as Record<string, string>;

    for (const key of Object.keys(RowRulesEnvSchema.shape)) {
      expect(Object.keys(PartitionWriterConfigSchema.shape)).not.toContain(key);
      expect(env).not.toHaveProperty(key);
    }
  });
});


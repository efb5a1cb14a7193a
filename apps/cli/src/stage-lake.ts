import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createLakeLayout, stageBuckets } from '@ledgerlake/storage';
import { S3ObjectStore } from '@ledgerlake/storage-s3';
import { CliError } from './cli-error';
import { stageResources } from './stage-names';
import type { SfnClientFactory } from './cloud-runs';
import type { LogsClientFactory } from './stage-logs';
import type { AthenaClientFactory } from './stage-sql';
import type { LocalLake } from './lake-folder';
import type { LakeTarget } from './target';

/*
 * A deployed stage opened as a lake: its five buckets (`ledgerlake-<stage>-<layer>`, the names
 * infra/serverless.yml gives them) through the S3 adapter, the same layout and the same read code
 * as a lake folder. Credentials come from the AWS SDK's standard chain (environment, profile, SSO,
 * instance role), the region from --region, the config file or that chain. main.ts loads this
 * module only for a --stage command: a lake folder's never loads the AWS SDK.
 */

/** A deployed stage as a command reaches it. */
export type StageTarget = Extract<LakeTarget, { kind: 'stage' }>;

/** How a command makes its AWS clients; tests point them at local servers. */
export interface AwsClients {
  readonly s3?: (config: S3ClientConfig) => S3Client;
  readonly sfn?: SfnClientFactory;
  readonly athena?: AthenaClientFactory;
  readonly logs?: LogsClientFactory;
  /** Milliseconds between two looks at a run's execution; default 2 s. */
  readonly pollMs?: number;
  /** How long to wait for a run to start; default 5 minutes. */
  readonly startTimeoutMs?: number;
}

/** The region and profile every AWS client of a stage command is made with (else the SDK's chain). */
export function awsClientConfig(target: StageTarget): { region?: string; profile?: string } {
  return {
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.profile === undefined ? {} : { profile: target.profile }),
  };
}

/** How a message names the stage: `stage prod (eu-west-1)`; `Stage …` to begin a sentence. */
export function describeStage(target: StageTarget, word: 'stage' | 'Stage' = 'stage'): string {
  return `${word} ${target.stage}${target.region === undefined ? '' : ` (${target.region})`}`;
}

/**
 * Opens a stage's lake and makes one cheap request (a one-key listing of its run records) so that
 * the usual set-up mistakes — no credentials, the wrong region, a stage not deployed, access
 * denied — are one sentence naming the stage and what to do, before the command starts.
 */
export async function openStageLake(target: StageTarget, clients: AwsClients = {}): Promise<LocalLake> {
  const config = awsClientConfig(target);
  const client = clients.s3?.(config) ?? new S3Client(config);
  const layout = createLakeLayout(stageBuckets(stageResources(target.stage).bucketPrefix));
  const store = new S3ObjectStore(client);
  const probe = layout.artifacts.runsPrefix();
  try {
    await store.list(probe.bucket, probe.prefix, { limit: 1 });
  } catch (error) {
    throw new CliError(describeStageError(error, target, `bucket ${probe.bucket}`));
  }
  // A stage has no lake folder: `root` is only scratch space, made by whatever needs it.
  return { root: join(tmpdir(), `ledgerlake-stage-${target.stage}`), store, layout };
}

/**
 * One sentence for why a stage cannot be reached, naming the stage, the resource (`bucket …`,
 * `workgroup …`, `the log groups of …`) and what to do.
 */
export function describeStageError(error: unknown, target: StageTarget, resource: string): string {
  const codes = causeChain(error).flatMap((e) => [e.name, e.Code, e.code, e.__type].filter((c): c is string => typeof c === 'string'));
  const where = describeStage(target);
  const has = (...names: string[]): boolean => codes.some((code) => names.includes(code));
  if (has('CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'TokenRefreshRequired', 'UnrecognizedClientException', 'InvalidSignatureException')) {
    return `No valid AWS credentials to reach ${where}: sign in (aws sso login, or set AWS_PROFILE / --profile) and try again.`;
  }
  if (has('PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException')) {
    return `${capitalised(resource)} of ${where} is in another region: give the stage's region with --region or in ledgerlake.config.json.`;
  }
  if (has('NoSuchBucket', 'ResourceNotFoundException', 'StateMachineDoesNotExist')) {
    return `${describeStage(target, 'Stage')} is not deployed here (${resource} does not exist): check the stage name, --region and the account of your credentials.`;
  }
  if (has('AccessDenied', 'AccessDeniedException', 'AllAccessDisabled', 'Forbidden')) {
    return `Access denied to ${resource} of ${where}: your role needs the stage's ledgerlake-${target.stage}-auditor (read) or ledgerlake-${target.stage}-operator (runbook) policy (docs/deploy.md, "Operating a stage from the command line").`;
  }
  if (error instanceof Error && /region/i.test(error.message) && has('Error')) {
    return `No AWS region for ${where}: give --region, set AWS_REGION, or add the stage's region to ledgerlake.config.json.`;
  }
  const last = causeChain(error).at(-1);
  return `Cannot reach ${where} (${resource}): ${typeof last?.message === 'string' ? last.message.replace(/\.$/, '') : String(error)}.`;
}

function capitalised(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

interface ErrorFacts {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly __type?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

function causeChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  for (let at = error; typeof at === 'object' && at !== null && chain.length < 5; at = (at as ErrorFacts).cause) chain.push(at as ErrorFacts);
  return chain;
}

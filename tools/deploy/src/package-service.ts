import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** osls's CLI entry (the `serverless` devDependency is `npm:osls@…`). */
export const OSLS_BIN = require.resolve('serverless/bin/serverless.js');

/** Where `serverless package` leaves its output, inside the service directory. */
export const PACKAGE_DIR = '.serverless';

/** Variables through which the AWS SDK could find credentials: packaging must need none. */
const CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/**
 * The environment `serverless package` runs in: telemetry off (osls has none; compose reads the
 * flag) and no way to reach AWS credentials (no credential variables, no profile files, no
 * instance metadata), so that packaging works — and is proven to work — with no AWS account.
 */
export function offlineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return {
    ...env,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
  };
}

/** What packaging one service produced. */
export interface PackagedService {
  /** The service directory. */
  readonly dir: string;
  /** Wall time of `serverless package`, in ms. */
  readonly ms: number;
  /** Everything osls printed (stdout and stderr), for error reports. */
  readonly output: string;
}

/** Thrown when `serverless package` fails; the message carries osls's output. */
export class PackagingError extends Error {
  override readonly name = 'PackagingError';
}

/** Runs `serverless package --stage <stage>` (osls) in `dir` with `offlineEnv()`. */
export function packageService(dir: string, stage: string, env: NodeJS.ProcessEnv = offlineEnv()): Promise<PackagedService> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OSLS_BIN, 'package', '--stage', stage], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) {
        resolve({ dir, ms, output });
        return;
      }
      const command = `serverless package --stage ${stage}`;
      reject(new PackagingError(`deploy: "${command}" failed in ${dir} (exit ${code}):\n${output.trim()}`));
    });
  });
}

/** A CloudFormation template, as far as the checks read it. */
export interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

/** The template a package run wrote for updates (the one a deploy applies). */
export async function readPackagedTemplate(dir: string): Promise<CfnTemplate> {
  const text = await readFile(join(dir, PACKAGE_DIR, 'cloudformation-template-update-stack.json'), 'utf8');
  return JSON.parse(text) as CfnTemplate;
}

import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import YAML from 'yaml';
import { FUNCTION_SERVICES, INFRA_SERVICE_DIR, serviceDir, WORKSPACE_ROOT } from '../../src/function-services';

/*
 * serverless-compose.yml as @serverless/compose runs it: `compose deploy` in a copy of the
 * workspace's services, with a `serverless` on PATH that notes each call (its service, its
 * arguments, when it started and ended) instead of reaching AWS. What a first deploy of a fresh
 * account depends on: the order compose deploys the services in, and the region each stack goes to.
 */

const COMPOSE_BIN = require.resolve('@serverless/compose/bin/serverless-compose');
const COMPOSE_SHIM = join(WORKSPACE_ROOT, 'tools', 'serverless', 'compose.js');

/** A `serverless` that answers compose's questions and notes every call in `$CALLS`. */
const FAKE_SERVERLESS = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === '--version') { process.stdout.write('Framework Core: 4.3.1\\n'); process.exit(0); }
const started = Date.now();
const done = () => {
  appendFileSync(process.env.CALLS, JSON.stringify({ cwd: process.cwd(), args, started, ended: Date.now() }) + '\\n');
  if (args[0] === 'info') process.stdout.write('Stack Outputs:\\n  Deployed: yes\\n');
};
setTimeout(done, args[0] === 'deploy' ? 400 : 0);
`;

interface Call {
  readonly service: string;
  readonly args: string[];
  readonly started: number;
  readonly ended: number;
}

const work = { dir: '' };
let calls: Call[] = [];
let status: number | null = null;
let output = '';

beforeAll(async () => {
  work.dir = await mkdtemp(join(tmpdir(), 'ledgerlake-compose-'));
  const bin = join(work.dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'serverless'), FAKE_SERVERLESS);
  await chmod(join(bin, 'serverless'), 0o755);
  await copyFile(join(WORKSPACE_ROOT, 'serverless-compose.yml'), join(work.dir, 'serverless-compose.yml'));
  for (const dir of [INFRA_SERVICE_DIR, ...FUNCTION_SERVICES.map(serviceDir)]) {
    await mkdir(join(work.dir, dir), { recursive: true });
    await copyFile(join(WORKSPACE_ROOT, dir, 'serverless.yml'), join(work.dir, dir, 'serverless.yml'));
  }
  const result = spawnSync(process.execPath, [COMPOSE_BIN, 'deploy', '--stage', 'ci'], {
    cwd: work.dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: [bin, process.env['PATH']].join(delimiter),
      AWS_REGION: 'us-east-2',
      CALLS: join(work.dir, 'calls.jsonl'),
      SLS_TELEMETRY_DISABLED: '1',
    },
  });
  status = result.status;
  output = `${result.stdout}${result.stderr}`;
  const lines = (await readFile(join(work.dir, 'calls.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  calls = lines.map((line) => {
    const call = JSON.parse(line) as Omit<Call, 'service'> & { cwd: string };
    return { service: basename(call.cwd), args: call.args, started: call.started, ended: call.ended };
  });
}, 120_000);

afterAll(async () => {
  if (work.dir !== '') await rm(work.dir, { recursive: true, force: true });
});

const deploys = (): Call[] => calls.filter((call) => call.args[0] === 'deploy');

describe('compose deploy', () => {
  it('deploys every service once', () => {
    expect(status).toBe(0);
    expect(deploys().map((call) => call.service).sort()).toEqual(
      [basename(INFRA_SERVICE_DIR), ...FUNCTION_SERVICES].sort(),
    );
  });

  it('deploys the infrastructure first: no function stack starts before infra has deployed (fresh accounts)', () => {
    const infra = deploys().find((call) => call.service === basename(INFRA_SERVICE_DIR));
    const functions = deploys().filter((call) => call.service !== basename(INFRA_SERVICE_DIR));

    expect(infra).toBeDefined();
    expect(functions.filter((call) => call.started < (infra?.ended ?? Infinity)).map((call) => call.service)).toEqual([]);
  });

  it("deploys every stack to AWS_REGION's region", () => {
    expect(output).not.toContain('Unrecognized');
    for (const call of deploys()) {
      expect(call.args).toEqual(['deploy', '--stage', 'ci', '--region', 'us-east-2']);
    }
  });

  it('lists the services compose knows (the infrastructure and every function)', async () => {
    const compose = YAML.parse(await readFile(join(WORKSPACE_ROOT, 'serverless-compose.yml'), 'utf8')) as {
      services: Record<string, { path: string; dependsOn?: string }>;
    };

    expect(Object.keys(compose.services).sort()).toEqual(['infra', ...FUNCTION_SERVICES].sort());
    expect(compose.services['alert-consumer']?.dependsOn).toBe('infra');
  });
});

describe('npm run compose', () => {
  it('refuses to start without AWS_REGION, in one sentence that says what to set', () => {
    const env = { ...process.env };
    delete env['AWS_REGION'];
    const result = spawnSync(process.execPath, [COMPOSE_SHIM, 'deploy', '--stage', 'ci'], { encoding: 'utf8', env });

    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^ledgerlake: set AWS_REGION to the region of the stage to deploy/);
  });
});

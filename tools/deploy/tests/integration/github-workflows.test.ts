import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { FUNCTION_SERVICES, serviceDir, WORKSPACE_ROOT } from '../../src/function-services';

/*
 * The GitHub Actions workflows (docs/contract/deployment.md, "CI/CD"): pull requests run the checks and the offline
 * packaging; pushes to main deploy staging, then production, each a GitHub environment, with AWS
 * access through OIDC only.
 */

const WORKFLOWS = join(WORKSPACE_ROOT, '.github', 'workflows');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly name?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly uses?: string;
  readonly concurrency?: string | { readonly group: string; readonly 'cancel-in-progress'?: boolean };
  readonly env?: Record<string, string>;
  readonly needs?: string | string[];
  readonly with?: Record<string, unknown>;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly steps?: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly concurrency?: unknown;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

async function workflow(name: string): Promise<Workflow> {
  return YAML.parse(await readFile(join(WORKFLOWS, name), 'utf8')) as Workflow;
}

/** The Node.js major of the functions' Lambda runtime (`nodejs22.x` → 22), the same in every service. */
async function lambdaNodeMajor(): Promise<number> {
  const runtimes = await Promise.all(
    FUNCTION_SERVICES.map(async (service) => {
      const config = YAML.parse(await readFile(join(WORKSPACE_ROOT, serviceDir(service), 'serverless.yml'), 'utf8')) as {
        provider: { runtime: string };
      };
      return config.provider.runtime;
    }),
  );
  expect(new Set(runtimes).size).toBe(1);
  return Number(/^nodejs(\d+)\.x$/.exec(runtimes[0] ?? '')?.[1]);
}

function job(flow: Workflow, name: string): Job {
  const found = flow.jobs[name];
  if (found === undefined) throw new Error(`workflows: no job ${name}`);
  return found;
}

describe('ci.yml', () => {
  it('runs on pull requests (and when deploy.yml calls it) with read-only repository access', async () => {
    const ci = await workflow('ci.yml');

    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'workflow_call']);
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it("checks out, sets up the functions' Node.js (not an end-of-life one) and runs .ci/run (npm ci, lint, typecheck, test, build, package)", async () => {
    const steps = job(await workflow('ci.yml'), 'check').steps ?? [];
    const script = await readFile(join(WORKSPACE_ROOT, '.ci', 'run'), 'utf8');

    expect(steps.map((step) => step.uses ?? step.run)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', '.ci/run']);
    expect(steps[1]?.with).toMatchObject({ 'node-version': await lambdaNodeMajor() });
    expect(await lambdaNodeMajor()).toBeGreaterThanOrEqual(22);
    for (const command of ['npm ci', 'nx run-many -t lint', 'nx run-many -t typecheck', 'npm test', 'nx run-many -t build', 'npm run package']) {
      expect(script).toContain(command);
    }
  });
});

describe('deploy.yml', () => {
  it('deploys every push to main: the CI checks, then staging, then production', async () => {
    const deploy = await workflow('deploy.yml');

    expect(deploy.on).toEqual({ push: { branches: ['main'] } });
    expect(deploy.permissions).toEqual({ contents: 'read' });
    expect(job(deploy, 'ci').uses).toBe('./.github/workflows/ci.yml');
    expect(job(deploy, 'staging')).toMatchObject({ needs: 'ci', uses: './.github/workflows/deploy-stage.yml', with: { environment: 'staging' } });
    expect(job(deploy, 'production')).toMatchObject({
      needs: 'staging',
      uses: './.github/workflows/deploy-stage.yml',
      with: { environment: 'production' },
    });
  });

  it('serialises deploys per stage, not per workflow run: staging never waits behind production\'s approval', async () => {
    const deploy = await workflow('deploy.yml');
    const stageJob = job(await workflow('deploy-stage.yml'), 'deploy');

    expect(deploy.concurrency).toBeUndefined();
    expect(stageJob.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('gives the stage jobs an OIDC token and nothing more', async () => {
    const deploy = await workflow('deploy.yml');

    for (const name of ['staging', 'production']) {
      expect(job(deploy, name).permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
  });
});

describe('deploy-stage.yml', () => {
  const deployJob = async (): Promise<Job> => job(await workflow('deploy-stage.yml'), 'deploy');

  it('runs in the GitHub environment of its stage, so that its protection rules apply', async () => {
    const stage = await workflow('deploy-stage.yml');

    expect(Object.keys(stage.on)).toEqual(['workflow_call']);
    expect((await deployJob()).environment).toBe('${{ inputs.environment }}');
    expect((await deployJob()).permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('assumes the environment role through OIDC, then deploys through compose, then smoke-tests', async () => {
    const steps = (await deployJob()).steps ?? [];
    const index = (predicate: (step: Step) => boolean): number => steps.findIndex(predicate);
    const credentials = steps[index((step) => step.uses === 'aws-actions/configure-aws-credentials@v4')];
    const deploy = index((step) => step.run === 'npm run compose -- deploy --stage ${{ inputs.environment }}');
    const smoke = index((step) => step.run?.startsWith('tools/deploy/smoke-test.sh ${{ inputs.environment }}') === true);

    expect(credentials?.with).toEqual({
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      'role-session-name': 'ledgerlake-${{ inputs.environment }}-${{ github.run_id }}',
      'aws-region': '${{ vars.AWS_REGION }}',
    });
    // The one region setting: the credentials' region and, through serverless-compose.yml, every stack's.
    expect((await deployJob()).env).toMatchObject({ AWS_REGION: '${{ vars.AWS_REGION }}' });
    expect(steps.find((step) => step.uses === 'actions/setup-node@v4')?.with).toMatchObject({ 'node-version': await lambdaNodeMajor() });
    expect(index((step) => step.run === 'npm ci --no-audit --no-fund')).toBeLessThan(index((step) => step.run === 'npm run build'));
    expect(index((step) => step.run === 'npm run build')).toBeLessThan(deploy);
    expect(steps.indexOf(credentials as Step)).toBeLessThan(deploy);
    expect(deploy).toBeGreaterThan(0);
    expect(smoke).toBeGreaterThan(deploy);
  });
});

describe('every workflow', () => {
  it('uses no stored AWS keys', async () => {
    const files = (await readdir(WORKFLOWS)).filter((file) => file.endsWith('.yml'));
    const texts = await Promise.all(files.map((file) => readFile(join(WORKFLOWS, file), 'utf8')));

    expect(files.sort()).toEqual(['ci.yml', 'deploy-stage.yml', 'deploy.yml']);
    for (const text of texts) {
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS/);
    }
  });
});

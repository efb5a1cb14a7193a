import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseBronzeKey } from '@ledgerlake/storage';
import { WORKSPACE_ROOT } from '../../src/function-services';

/*
 * tools/deploy/smoke-test.sh against a fake `aws` command (first on PATH) that records its calls:
 * the trigger's pattern asked about, the fresh file written outside the dataset, the starter started
 * with a dry run, and the verdict on the run it started.
 */

const run = promisify(execFile);
const SCRIPT = join(WORKSPACE_ROOT, 'tools', 'deploy', 'smoke-test.sh');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const STARTER = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ci-starter:3b0f7a52-8a1e-4c0e-9d7b-2f4a6c8e0b1d';
const OURS = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ci:20240105T090000Z-0f8fad5bd9cb';
/** The deployed Object Created rule's pattern (infra/serverless.yml, stage ci). */
const PATTERN = JSON.stringify({
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: ['ledgerlake-ci-bronze'] }, object: { key: [{ prefix: 'mortgages/transactions/ingest_date=' }] } },
});
const CHECKED = JSON.stringify({ checked: { status: 'CHECKED', decision: 'PROMOTE', reasons: [], claim_released: true } });

// test-event-pattern: the key's prefix and the bucket, as EventBridge matches this pattern.
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls"
case "$1 $2" in
  "configure get") echo eu-west-1 ;;
  "sts get-caller-identity") if [ "$4" = Arn ]; then echo arn:aws:iam::123456789012:role/deploy; else echo 123456789012; fi ;;
  "events describe-rule") echo "$FAKE_PATTERN" ;;
  "events test-event-pattern")
    jq -rn --argjson p "$4" --argjson e "$6" '($e.detail.object.key | startswith($p.detail.object.key[0].prefix)) and ($p.detail.bucket.name | index($e.detail.bucket.name)) != null | if . then "True" else "False" end' ;;
  "s3 cp") cp "$4" "$FAKE_DIR/written.csv"; echo "$5" > "$FAKE_DIR/written" ;;
  "stepfunctions start-execution") echo "$6" > "$FAKE_DIR/input"; echo "${STARTER}" ;;
  "stepfunctions describe-execution")
    if [ "$4" = "${STARTER}" ]; then
      if [ "$6" = status ]; then echo SUCCEEDED; else echo '{"run_id":"20240105T090000Z-0f8fad5bd9cb","execution_arn":"${OURS}"}'; fi
    elif [ "$6" = status ]; then echo "$FAKE_STATUS"; else echo "$FAKE_OUTPUT"; fi ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`;

const fake = { dir: '' };

beforeEach(async () => {
  fake.dir = await mkdtemp(join(tmpdir(), 'ledgerlake-smoke-'));
  await writeFile(join(fake.dir, 'aws'), FAKE_AWS);
  await chmod(join(fake.dir, 'aws'), 0o755);
});

afterEach(async () => {
  await rm(fake.dir, { recursive: true, force: true });
});

async function smokeTest(status: string, options: { output?: string; pattern?: string } = {}): Promise<{ code: number; stderr: string }> {
  const env = {
    ...process.env,
    PATH: `${fake.dir}:${process.env['PATH'] ?? ''}`,
    FAKE_DIR: fake.dir,
    FAKE_STATUS: status,
    FAKE_OUTPUT: options.output ?? CHECKED,
    FAKE_PATTERN: options.pattern ?? PATTERN,
    GITHUB_SHA: SHA,
    SMOKE_POLL_SECONDS: '0',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
  };
  try {
    const { stderr } = await run('bash', [SCRIPT, 'ci', '5'], { env });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

const today = (): string => new Date().toISOString().slice(0, 10);

it('dry-runs a fresh file, written outside the dataset, through the starter and the whole pipeline, and passes when it was CHECKED', async () => {
  const result = await smokeTest('SUCCEEDED');
  const calls = await readFile(join(fake.dir, 'calls'), 'utf8');
  const written = (await readFile(join(fake.dir, 'written'), 'utf8')).trim();
  const key = written.replace('s3://ledgerlake-ci-bronze/', '');
  const input = JSON.parse(await readFile(join(fake.dir, 'input'), 'utf8')) as Record<string, unknown>;
  const rows = (await readFile(join(fake.dir, 'written.csv'), 'utf8')).trim().split('\n');

  expect(result).toEqual({ code: 0, stderr: expect.stringContaining(`execution ${OURS} SUCCEEDED: checked end to end, nothing published`) });
  expect(key).toMatch(new RegExp(`^smoke/ingest_date=${today()}/smoke-${SHA.slice(0, 12)}-\\d+\\.csv$`));
  // No trigger fires for it, and it is no landed file of the dataset.
  expect(parseBronzeKey(key)).toBeUndefined();
  expect(input).toEqual({ dataset: 'mortgages/transactions', mode: 'ingest', source: { bucket: 'ledgerlake-ci-bronze', key }, dry_run: true });
  expect(calls).toContain('stepfunctions start-execution --state-machine-arn arn:aws:states:eu-west-1:123456789012:stateMachine:ledgerlake-ci-starter');
  expect(calls).toContain('events describe-rule --name ledgerlake-ci-bronze-object-created');
  expect(rows[0]).toBe('TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp');
  expect(rows).toHaveLength(3);
});

it('writes a file no earlier smoke run wrote (its content is never a DUPLICATE_FILE)', async () => {
  await smokeTest('SUCCEEDED');
  const first = await readFile(join(fake.dir, 'written.csv'), 'utf8');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await smokeTest('SUCCEEDED');

  expect(await readFile(join(fake.dir, 'written.csv'), 'utf8')).not.toBe(first);
});

it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('fails when the run ended %s', async (status) => {
  const result = await smokeTest(status);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`execution ${OURS} ended ${status}`);
});

it('fails when the run was not a dry run, or the gate would block the smoke file', async () => {
  const published = await smokeTest('SUCCEEDED', { output: JSON.stringify({ promotion: { status: 'PUBLISHED' } }) });
  const blocked = await smokeTest('SUCCEEDED', { output: JSON.stringify({ checked: { status: 'CHECKED', decision: 'BLOCKED', reasons: ['too many'] } }) });

  expect(published.code).toBe(1);
  expect(published.stderr).toContain('was not a dry run');
  expect(blocked.code).toBe(1);
  expect(blocked.stderr).toContain('the gate would block the smoke file');
});

it("fails before writing anything when the deployed rule would start a run for the smoke file, or none for a landed one", async () => {
  const everything = JSON.stringify({ source: ['aws.s3'], detail: { bucket: { name: ['ledgerlake-ci-bronze'] }, object: { key: [{ prefix: '' }] } } });
  const nothing = JSON.stringify({ source: ['aws.s3'], detail: { bucket: { name: ['ledgerlake-ci-bronze'] }, object: { key: [{ prefix: 'elsewhere/' }] } } });

  const wide = await smokeTest('SUCCEEDED', { pattern: everything });
  const narrow = await smokeTest('SUCCEEDED', { pattern: nothing });

  expect(wide).toMatchObject({ code: 1, stderr: expect.stringContaining('would start a run for the smoke file') });
  expect(narrow).toMatchObject({ code: 1, stderr: expect.stringContaining('would not start a run for a landed file') });
  await expect(readFile(join(fake.dir, 'written'), 'utf8')).rejects.toThrow();
});

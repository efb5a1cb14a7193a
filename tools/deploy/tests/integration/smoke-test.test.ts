import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '../../src/function-services';

/*
 * tools/deploy/smoke-test.sh against a fake `aws` command (first on PATH) that records its calls:
 * the upload's bucket and key, finding the execution started for that key, and the verdict.
 */

const run = promisify(execFile);
const SCRIPT = join(WORKSPACE_ROOT, 'tools', 'deploy', 'smoke-test.sh');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const OURS = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ci:20240105T090000Z-0f8fad5bd9cb';
const OTHER = 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-ci:20240105T085500Z-a1b2c3d4e5f6';

// Lists OTHER (always) and OURS (once the file landed); describe-execution answers the input with
// the landed key for OURS, and the status from FAKE_STATUS.
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls"
case "$1 $2" in
  "configure get") echo eu-west-1 ;;
  "sts get-caller-identity") echo 123456789012 ;;
  "s3 cp") echo "$5" > "$FAKE_DIR/landed" ;;
  "stepfunctions list-executions")
    if [ -f "$FAKE_DIR/landed" ] && [ "$FAKE_STARTS" = yes ]; then echo "${OURS}	${OTHER}"; else echo "${OTHER}"; fi ;;
  "stepfunctions describe-execution")
    if [ "$6" = input ]; then
      if [ "$4" = "${OURS}" ]; then
        printf '{"dataset":"mortgages/transactions","mode":"ingest","source":{"bucket":"b","key":"%s"}}\\n' "$(sed 's#^s3://[^/]*/##' "$FAKE_DIR/landed")"
      else
        echo '{"dataset":"mortgages/transactions","mode":"ingest","source":{"bucket":"b","key":"mortgages/transactions/ingest_date=2024-01-05/other.csv"}}'
      fi
    else
      echo "$FAKE_STATUS"
    fi ;;
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

async function smokeTest(status: string, starts = 'yes', timeoutSeconds = 5): Promise<{ code: number; stderr: string }> {
  const env = {
    ...process.env,
    PATH: `${fake.dir}:${process.env['PATH'] ?? ''}`,
    FAKE_DIR: fake.dir,
    FAKE_STATUS: status,
    FAKE_STARTS: starts,
    GITHUB_SHA: SHA,
    SMOKE_POLL_SECONDS: '0',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
  };
  try {
    const { stderr } = await run('bash', [SCRIPT, 'ci', String(timeoutSeconds)], { env });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

const today = (): string => new Date().toISOString().slice(0, 10);

it("lands the Q1 sample under today's ingest date with the commit in its name, and passes when its execution SUCCEEDED", async () => {
  const result = await smokeTest('SUCCEEDED');
  const calls = await readFile(join(fake.dir, 'calls'), 'utf8');

  expect(result).toEqual({ code: 0, stderr: expect.stringContaining(`execution ${OURS} SUCCEEDED`) });
  expect(calls).toContain(
    `s3 cp --only-show-errors ${join(WORKSPACE_ROOT, 'samples', 'transactions-2024-q1.csv')} ` +
      `s3://ledgerlake-ci-bronze/mortgages/transactions/ingest_date=${today()}/smoke-${SHA.slice(0, 12)}.csv`,
  );
  expect(calls).toContain('stepfunctions list-executions --state-machine-arn arn:aws:states:eu-west-1:123456789012:stateMachine:ledgerlake-ci');
});

it.each(['FAILED', 'TIMED_OUT', 'ABORTED'])('fails when the execution ended %s', async (status) => {
  const result = await smokeTest(status);

  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`execution ${OURS} ended ${status}`);
});

it('fails when no execution was started for the file in time', async () => {
  const result = await smokeTest('SUCCEEDED', 'no', 1);

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/no execution was started for s3:\/\/ledgerlake-ci-bronze\/mortgages\/transactions\/ingest_date=.*\/smoke-0123456789ab\.csv within 1s/);
});

import { execFileSync } from 'node:child_process';
import { version as VERSION } from '../../package.json';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/* The command line's conventions: one sentence and one exit code for the same mistake everywhere, JSON errors with --json. */

const dirs = useTempLake('ledgerlake-conventions-');
const UNKNOWN = '20240101T000000Z-abcdef';

describe('an unknown run id', () => {
  beforeEach(async () => {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);
  });

  it.each([
    ['runs show', ['runs', 'show', UNKNOWN]],
    ['runs report', ['runs', 'report', UNKNOWN]],
    ['runs rerun', ['runs', 'rerun', UNKNOWN]],
    ['logs', ['logs', UNKNOWN]],
    ['promote', ['promote', '--run', UNKNOWN, '--partition', '2024-01', '--by', 'ana', '--reason', 'check']],
    ['quarantine retry', ['quarantine', 'retry', '--run', UNKNOWN]],
    ['quarantine list', ['quarantine', 'list', '--run', UNKNOWN]],
    ['condemned approve', ['condemned', 'approve', '--run', UNKNOWN, '--by', 'ana', '--reason', 'check']],
  ])('is exit 2 and the same sentence in %s; with --json the error names its code', async (_, argv) => {
    const text = await runCli([...argv, '--lake', dirs.lake], dirs.work);
    const json = await runCli([...argv, '--json', '--lake', dirs.lake], dirs.work);

    expect(text).toEqual({ code: 2, stdout: '', stderr: `ledgerlake: The lake has no run ${UNKNOWN} (see \`ledgerlake runs\`).\n` });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'unknown-run', message: `The lake has no run ${UNKNOWN} (see \`ledgerlake runs\`).`, exit_code: 2 } });
  });

  it('that is not a run id at all is the same sentence in runs show and logs', async () => {
    const shown = await runCli(['runs', 'show', 'nope', '--lake', dirs.lake], dirs.work);
    const logs = await runCli(['logs', 'nope', '--lake', dirs.lake], dirs.work);

    expect(shown).toEqual({ code: 2, stdout: '', stderr: 'ledgerlake: "nope" is not a run id (see `ledgerlake runs`).\n' });
    expect(logs).toEqual(shown);
  });
});

describe('errors with --json', () => {
  it('arguments commander refuses are JSON on stdout too, exit 2', async () => {
    const result = await runCli(['runs', '--no-such-option', '--json', '--lake', dirs.lake], dirs.work);

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'usage-error', message: "unknown option '--no-such-option'", exit_code: 2, name: 'commander.unknownOption' } });
    expect(result.stderr).toContain("error: unknown option '--no-such-option'");
  });

  it('a wrong setting in the environment is one sentence, with one prefix', async () => {
    const result = await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work, { env: { MAX_ATTEMPTS: 'abc' } });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("ledgerlake: The environment's LedgerLake settings are wrong: 1 bad key: MAX_ATTEMPTS (invalid, expected a positive integer).\n");
  });
});

describe('conventions other command lines keep', () => {
  it('--version prints the version', async () => {
    const result = await runCli(['--version'], dirs.work);

    expect(result).toEqual({ code: 0, stdout: `ledgerlake ${VERSION}\n`, stderr: '' });
  });

  it('takes the options every command takes before the command too', async () => {
    expect((await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work)).code).toBe(0);

    const after = await runCli(['runs', '--json', '--lake', dirs.lake], dirs.work);
    const before = await runCli(['--lake', dirs.lake, '--json', 'runs'], dirs.work);

    expect(before).toEqual(after);
    expect(JSON.parse(before.stdout)).toHaveLength(1);
  });

  it('--help lists the exit codes and examples, and marks the options a command cannot run without', async () => {
    const root = await runCli(['--help'], dirs.work);
    const retry = await runCli(['quarantine', 'retry', '--help'], dirs.work);

    expect(root.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}130 /);
    expect(root.stdout).toContain('Examples:\n  ledgerlake ingest samples/transactions-2024-q1.csv');
    expect(retry.stdout).toMatch(/--run <run_id> +the run whose quarantined rows to retry \(required\)/);
    expect(retry.stdout).not.toMatch(/--error <code>.*\(required\)/);
  });

  it('writes a bash completion script that completes commands, subcommands, options and files', async () => {
    const script = (await runCli(['completion', 'bash'], dirs.work)).stdout;
    const complete = (...words: string[]): string[] => {
      const shell = `source /dev/stdin <<'SCRIPT'\n${script}SCRIPT\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ledgerlake; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', shell], { cwd: REPO, encoding: 'utf8' }).split('\n').filter((line) => line !== '');
    };

    expect(complete('ledgerlake', 'qu')).toEqual(['query', 'quarantine']);
    expect(complete('ledgerlake', 'runs', 'sh')).toEqual(['show']);
    expect(complete('ledgerlake', '--lake', 'lake', 'condemned', 'approve', '--row')).toEqual(['--row-hash']);
    expect(complete('ledgerlake', 'ingest', 'samples/transactions-2024-q')).toEqual(['samples/transactions-2024-q1.csv']);
    expect((await runCli(['completion', 'zsh'], dirs.work)).stdout).toBe(`autoload -U +X bashcompinit && bashcompinit\n${script.replace('for bash: eval "$(ledgerlake completion bash)"', 'for zsh: eval "$(ledgerlake completion zsh)"')}`);
  });
});

describe('status colours', () => {
  const ESC = '\x1b';
  it('on a terminal only, and never with NO_COLOR', async () => {
    const terminal = await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake], dirs.work, { stdoutIsTTY: true });
    const runs = await runCli(['runs', '--lake', dirs.lake], dirs.work, { stdoutIsTTY: true });
    const noColor = await runCli(['runs', '--lake', dirs.lake], dirs.work, { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    const piped = await runCli(['runs', '--lake', dirs.lake], dirs.work);

    expect(terminal.stdout.startsWith(`${ESC}[32mPUBLISHED${ESC}[0m `)).toBe(true);
    expect(runs.stdout).toContain(`  ${ESC}[32mPUBLISHED${ESC}[0m  `);
    // Coloured after alignment: without the escapes the table is the piped one.
    expect(runs.stdout.replaceAll(`${ESC}[32m`, '').replaceAll(`${ESC}[0m`, '')).toBe(piped.stdout);
    expect(noColor.stdout).toBe(piped.stdout);
    expect(piped.stdout).not.toContain('\x1b[');
  });
});

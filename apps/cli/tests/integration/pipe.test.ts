import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

const BIN = join(REPO, 'apps/cli/bin/ledgerlake.js');
const dirs = useTempLake('ledgerlake-pipe-');

describe('output into a reader that stops early (`| head -1`)', () => {
  it('ends quietly, with no stack trace, when its reader closes the pipe', async () => {
    await runCli(['ingest', Q1_SAMPLE, '--json', '--lake', dirs.lake], dirs.work);
    // Enough output that it cannot all sit in the pipe's buffer once the reader is gone.
    const sql = 'select * from range(200000) t(n)';
    const child = spawn(process.execPath, [BIN, 'query', sql, '--lake', dirs.lake], { cwd: dirs.work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());

    const [code] = (await once(child, 'close')) as [number | null];

    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BROKEN_STORES } from './fixtures/broken-stores';

// The contract suite must be able to fail: run it (in a child jest) against stores broken in one way
// each, and check that the tests meant to notice each defect do, while a correct store passes all.
const PROJECT = resolve(__dirname, '../..');
const WORKSPACE = resolve(PROJECT, '../..');

/** Contract test titles (substrings) that each broken store must fail. */
const MUST_FAIL: Record<keyof typeof BROKEN_STORES, string[]> = {
  'ignores-if-none-match': ["on an existing key throws ObjectConflictError('exists')", 'concurrent writers create a key'],
  'ignores-if-match': ["with a stale ETag throws ObjectConflictError('etag-mismatch')", 'holding the same ETag win'],
  'utf16-order': ['UTF-8 byte order, not UTF-16 order', 'pages 2500 keys'],
  'ignores-ranges': ['start only reads to the end', 'start and end read the inclusive range', 'reads one byte'],
  'strict-delete': ['is idempotent'],
  'constant-etag': ['replaces the content and changes the ETag', 'head reports their size and the ETag put returned'],
  'truncating-stream': ['round-trips a multi-MB Readable', 'round-trips an async iterable'],
  'first-page-only': ['pages 2500 keys', 'pages across both'],
  'ignores-delimiter': ['groups keys by a delimiter into common prefixes', 'groups with a delimiter after a partial prefix'],
  'throws-on-missing': ['head of a missing key is undefined'],
  'copy-invents-source': ['copying a missing source is a StorageError'],
};

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
}

let results: AssertionResult[];

beforeAll(() => {
  const outDir = mkdtempSync(join(tmpdir(), 'ledgerlake-contract-meta-'));
  const outputFile = join(outDir, 'results.json');
  const config = {
    rootDir: PROJECT,
    preset: join(WORKSPACE, 'jest.preset.js'),
    testMatch: ['<rootDir>/tests/integration/fixtures/broken-stores.contract-fixture.ts'],
  };
  try {
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        ...['--config', JSON.stringify(config), '--json', '--outputFile', outputFile, '--runInBand'],
      ],
      { cwd: WORKSPACE, encoding: 'utf8', timeout: 240_000 },
    );
    const report = JSON.parse(readFileSync(outputFile, 'utf8')) as {
      testResults: { assertionResults: AssertionResult[] }[];
    };
    results = report.testResults.flatMap((file) => file.assertionResults);
    if (results.length === 0) throw new Error(`contract meta test: the child jest ran nothing:\n${run.stderr}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}, 300_000);

function resultsOf(store: string): AssertionResult[] {
  return results.filter((r) => r.ancestorTitles[0] === `ObjectStore contract: ${store}`);
}

describe('the ObjectStore contract suite', () => {
  it('passes every test for a correct store', () => {
    const reference = resultsOf('reference');

    expect(reference.length).toBeGreaterThan(30);
    expect(reference.filter((r) => r.status !== 'passed').map((r) => r.title)).toEqual([]);
  });

  it.each(Object.entries(MUST_FAIL))('catches a store that %s', (store, titles) => {
    const failed = resultsOf(store)
      .filter((r) => r.status === 'failed')
      .map((r) => r.title);

    for (const title of titles) expect(failed).toContainEqual(expect.stringContaining(title));
  });

  it('runs the same tests for every store', () => {
    const count = resultsOf('reference').length;

    for (const store of Object.keys(BROKEN_STORES)) expect(resultsOf(store)).toHaveLength(count);
  });
});

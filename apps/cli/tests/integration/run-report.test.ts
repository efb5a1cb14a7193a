import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@ledgerlake/storage';
import { FaultInjectingStore } from '@ledgerlake/testing';
import { Q1_SAMPLE, REPO, runCli, useTempLake } from '../support/cli-harness';

/*
 * Every run's report (apps/run-recorder report/), written by its last step (ReportRun) on every
 * path, through the real state machine and handlers: published, blocked, failed, skipped; rebuilt
 * by `runs report`; named by `runs show` and the ingest summary; listed by the index.
 */

const dirs = useTempLake('ledgerlake-report-');
const HEADER = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp';
const ERRORS_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
type Json = Record<string, unknown>;
const run = (...argv: string[]) => runCli([...argv, '--lake', dirs.lake], dirs.work);
const ingest = async (path: string): Promise<Json> => ((JSON.parse((await run('ingest', path, '--json')).stdout) as Json[])[0] as Json);
const report = (runId: unknown) => readFile(join(dirs.lake, 'artifacts/runs', String(runId), 'report.html'), 'utf8');
/** The report's text, its markup and charts left out. */
const text = (page: string) => page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the run report', () => {
  it('is written by a published and a blocked run, and the ingest summary names it', async () => {
    const published = await ingest(Q1_SAMPLE);
    const blocked = await ingest(ERRORS_SAMPLE);
    const summary = await run('ingest', join(REPO, 'samples/transactions-2024-q1.csv'));

    expect(published['report']).toBe(join(dirs.lake, 'artifacts/runs', String(published['run_id']), 'report.html'));
    const publishedText = text(await report(published['run_id']));
    expect(publishedText).toContain('✔ PUBLISHED');
    expect(publishedText).toContain('every threshold met');
    expect(publishedText).toContain('quarantine rate 0.00 % (0 of 8 rows) below 5.00 % ✔ passed');
    expect(publishedText).toMatch(/input 8 \d+\.\d\d valid \(Silver\) 8/);
    expect(publishedText).toContain('✔ reconciles');
    expect(publishedText).toMatch(/2024-01 \d+ 1 — in the current version 1/);
    expect(publishedText).toContain('PlanChunks');
    expect(publishedText).toContain(`ledgerlake logs ${String(published['run_id'])} --lake ${dirs.lake}`);

    const blockedPage = await report(blocked['run_id']);
    expect(text(blockedPage)).toContain('⊘ BLOCKED');
    expect(text(blockedPage)).toContain('quarantine rate 50.00 % (4 of 8 rows) is not below the limit of 5.00 %');
    expect(blockedPage).toContain('<title id="quarantined-rows-by-reason-t">Quarantined rows by reason</title>');
    // Each condition of the gate with what was measured against its limit.
    expect(text(blockedPage)).toContain('quarantine rate 50.00 % (4 of 8 rows) below 5.00 % ✖ failed');
    expect(text(blockedPage)).toContain('condemned rows 1 below 100 ✔ passed');
    expect(text(blockedPage)).toContain('CURRENCY_ERROR: 1 row');
    expect(text(blockedPage)).toContain('Currency XYZ');
    expect(text(blockedPage)).toContain('DUPLICATE_FAILURE: 1 row');
    // The duplicate of an ingested file is skipped, and its run has a report too.
    expect(summary.stdout).toMatch(/SKIPPED[\s\S]*report: .*report\.html\n$/);
    const skippedId = /run (\S+),/.exec(summary.stdout)?.[1];
    expect(text(await report(skippedId))).toContain(`↷ SKIPPED`);
    expect(text(await report(skippedId))).toContain(`already processed by run ${String(published['run_id'])}`);

    const index = await readFile(join(dirs.lake, 'artifacts/runs/index.html'), 'utf8');
    for (const id of [published['run_id'], blocked['run_id'], skippedId]) expect(index).toContain(`<a href="${String(id)}/report.html">`);
  });

  it('is written by a failed run, naming the error and the state', async () => {
    const bad = join(dirs.work, 'bad.csv');
    await writeFile(bad, 'TransactionID,CustomerID\n1,A\n');
    const failed = await ingest(bad);

    expect(failed['status']).toBe('FAILED');
    const page = text(await report(failed['run_id']));
    expect(page).toContain('✖ FAILED');
    expect(page).toContain('MissingColumnsError');
  });

  it('shows markup in a field as text: a quarantined row holding HTML and script is escaped', async () => {
    const good = Array.from({ length: 3 }, (_, i) => `${100 + i},ACC001,1.00,EUR,2024-01-0${i + 1}T00:00:00Z`);
    const hostile = join(dirs.work, 'hostile.csv');
    await writeFile(hostile, `${[HEADER, ...good, '9,ACC009,1.00,<script>alert(1)</script>,2024-01-05T00:00:00Z', '10,"<img src=x onerror=alert(2)>",1.00,EUR,2024-01-06T00:00:00Z'].join('\n')}\n`);
    const outcome = await ingest(hostile);
    const page = await report(outcome['run_id']);

    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is rebuilt by runs report (keeping its timeline) and named by runs show; a run the lake does not have is one sentence', async () => {
    const published = await ingest(Q1_SAMPLE);
    const before = await report(published['run_id']);

    const rebuilt = await run('runs', 'report', String(published['run_id']), '--json');
    const shown = JSON.parse((await run('runs', 'show', String(published['run_id']), '--json')).stdout) as Json;
    const unknown = await run('runs', 'report', '20990101T000000Z-nothing');

    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ run_id: published['run_id'], status: 'PUBLISHED', report: published['report'] });
    expect(text(await report(published['run_id']))).toContain('PlanChunks');
    expect(text(await report(published['run_id']))).toBe(text(before));
    expect(shown['report']).toBe(published['report']);
    expect(unknown).toMatchObject({ code: 2, stderr: 'ledgerlake: The lake has no run 20990101T000000Z-nothing (see `ledgerlake runs`).\n' });
  });

  it("shows the runbook's decisions about the run's rows: a retry of its quarantined rows, a rejection of its condemned ones", async () => {
    const good = Array.from({ length: 30 }, (_, i) => `${1000 + i},ACC00${i % 3},1.25,EUR,2024-02-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`);
    const source = join(dirs.work, 'feb.csv');
    await writeFile(source, `${[HEADER, ...good, '99,ACC009,12.34,eur,2024-02-15T10:00:00Z', '1000,ACC000,1.25,EUR,2024-02-01T08:00:00Z'].join('\n')}\n`);
    const first = await ingest(source);
    const [row] = (JSON.parse((await run('quarantine', 'list', '--run', String(first['run_id']), '--json')).stdout) as { rows: Json[] }).rows;
    const fixes = join(dirs.work, 'fixes.csv');
    await writeFile(fixes, `row_hash,${HEADER}\n${String(row?.['row_hash'])},99,ACC009,12.34,EUR,2024-02-15T10:00:00Z\n`);

    const retried = JSON.parse((await run('quarantine', 'retry', '--run', String(first['run_id']), '--fixes', fixes, '--by', 'dq-ana', '--json')).stdout) as Json;
    const rejected = await run('condemned', 'reject', '--run', String(first['run_id']), '--by', 'dq-bob', '--reason', 'a true duplicate');

    expect(retried['status']).toBe('PUBLISHED');
    expect(rejected.code).toBe(0);
    const sourceReport = text(await report(first['run_id']));
    expect(sourceReport).toMatch(new RegExp(`retry of 1 quarantined row by run ${String(retried['run_id'])} with fixes \\S+fixes\\.csv dq-ana`));
    expect(sourceReport).toMatch(/rejection of 1 condemned row dq-bob \S+ a true duplicate/);
    expect(text(await report(retried['run_id']))).toContain(`retry of 1 row of run ${String(first['run_id'])}`);
  });

  it("never changes how a run ends: a report that cannot be written leaves the run PUBLISHED", async () => {
    // The run recorder's writes of the report fail for good (a non-retryable error): every other write goes through.
    const failing = (store: ObjectStore) => new FaultInjectingStore(store, (call) => (call.op === 'put' && /report\.(html|json)$/.test(call.key) ? new Error('disk says no') : undefined));
    const result = await runCli(['ingest', Q1_SAMPLE, '--lake', dirs.lake, '--json'], dirs.work, {
      wiring: { storeFor: (fn, store) => (fn === 'run-recorder' ? failing(store) : store) },
    });

    expect(result.code).toBe(0);
    const [outcome] = JSON.parse(result.stdout) as Json[];
    expect(outcome).toMatchObject({ status: 'PUBLISHED' });
    expect(outcome?.['report']).toBeUndefined();
  });
});

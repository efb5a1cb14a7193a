import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isPipelineState, ROW_PIPELINE, type TaskContract } from '@ledgerlake/contract';
import type { LocalTaskCall } from '@ledgerlake/state-machine';
import { type IngestOptions, runBronzeObject } from '../../src/ingest';
import { openLake } from '../../src/lake-folder';
import { localDefinition } from '../../src/local-lake';
import { Q1_SAMPLE, REPO, runLogLines, useTempLake } from '../support/cli-harness';

/*
 * The row pipeline's contract (libs/contract state-contract.ts) against what the deployed path
 * really sends and returns: files run through the real ASL with the local runner and the real
 * handlers, and every Task's event and result is parsed with its state's schemas — exactly (a
 * field the contract does not name fails too). Every path: published, skipped as a duplicate,
 * blocked, a dry run, failed. And every log line from the moment the file is planned carries the
 * run's and the source file's ids.
 */

const APRIL_SAMPLE = join(REPO, 'samples/transactions-2024-04-with-errors.csv');
const dirs = useTempLake('ledgerlake-state-contract-');
const NOW = new Date('2024-05-02T09:00:00Z');

async function run(file: string, extra: Partial<IngestOptions> = {}): Promise<{ status: string; runId: string; calls: LocalTaskCall[] }> {
  const lake = await openLake(dirs.lake);
  const source = lake.layout.bronze.file('2024-05-02', basename(file));
  await lake.store.put(source, await readFile(file));
  const calls: LocalTaskCall[] = [];
  const outcome = await runBronzeObject(lake, source, file, {
    definition: localDefinition(),
    now: () => NOW,
    onTask: (call) => calls.push(call),
    wiring: { workers: 0 },
    ...extra,
  });
  return { status: outcome.status, runId: outcome.run_id, calls };
}

/** `value` parsed by `schema` and turned back to JSON, so that a field the schema strips shows as a difference. */
function throughSchema(contract: TaskContract, which: 'event' | 'result', value: unknown): unknown {
  const parsed = contract[which].safeParse(value);
  return parsed.success ? JSON.parse(JSON.stringify(parsed.data)) : { invalid: parsed.error.issues };
}

function expectContractKept(calls: readonly LocalTaskCall[]): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    expect(isPipelineState(call.state)).toBe(true);
    const contract = ROW_PIPELINE[call.state as keyof typeof ROW_PIPELINE] as TaskContract;
    expect({ state: call.state, function: call.functionName.replace(/^ledgerlake-local-/, '') }).toEqual({ state: call.state, function: contract.function });
    // The whole-state events (PreventLoops, RecordFailure) carry more than the Task reads: only what it reads must match.
    if (contract.action !== undefined) expect({ state: call.state, event: throughSchema(contract, 'event', call.event) }).toEqual({ state: call.state, event: call.event });
    else expect(contract.event.safeParse(call.event).success).toBe(true);
    expect({ state: call.state, result: throughSchema(contract, 'result', call.result) }).toEqual({ state: call.state, result: call.result });
  }
}

const states = (calls: readonly LocalTaskCall[]): string[] => [...new Set(calls.map((call) => call.state))];

describe('the row pipeline contract on the deployed path', () => {
  it('holds for every Task of a published run, a duplicate, a blocked run, a dry run and a failed one', async () => {
    const published = await run(Q1_SAMPLE);
    expect(published.status).toBe('PUBLISHED');
    expect(states(published.calls)).toEqual([
      'RecoverPromotions', 'PlanChunks', 'EnrichChunk', 'CombineChunks', 'PreventLoops', 'ValidatePart', 'WritePart',
      'CheckBreaker', 'FinishRun', 'EvaluateGate', 'Promote', 'RefreshGold', 'ReportRun',
    ]);
    expectContractKept(published.calls);

    const duplicate = await run(Q1_SAMPLE);
    expect(duplicate.status).toBe('SKIPPED');
    expectContractKept(duplicate.calls);

    const blocked = await run(APRIL_SAMPLE);
    expect(blocked.status).toBe('BLOCKED');
    expect(states(blocked.calls)).toContain('RecordBlocked');
    expectContractKept(blocked.calls);

    const dry = await run(APRIL_SAMPLE, { run: { dry_run: true, rerun_of: blocked.runId } });
    expect(dry.status).toBe('CHECKED');
    expect(states(dry.calls)).toContain('RecordDryRun');
    expectContractKept(dry.calls);

    const lake = await openLake(dirs.lake);
    await lake.store.put(lake.layout.control.circuitBreaker(), '{not json');
    const failed = await run(Q1_SAMPLE, { run: { rerun_of: published.runId } });
    expect(failed.status).toBe('FAILED');
    expect(states(failed.calls)).toContain('RecordFailure');
    expectContractKept(failed.calls);
  });

  it('ties every log line of a run to it, and every line from the file planned on to its source file', async () => {
    const { runId, status } = await run(Q1_SAMPLE);
    expect(status).toBe('PUBLISHED');

    const lines = (await runLogLines(dirs.lake, runId)).filter((line) => typeof line['message'] === 'string');
    const planned = lines.findIndex((line) => line['message'] === 'file planned' || line['source_file_id'] !== undefined);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((line) => line['run_id'] !== runId)).toEqual([]);
    expect(planned).toBeGreaterThanOrEqual(0);
    expect(lines.slice(planned).filter((line) => typeof line['source_file_id'] !== 'string').map((line) => [line['service'], line['message']])).toEqual([]);
  });
});

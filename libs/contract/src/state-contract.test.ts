import { InvalidEventError } from '@ledgerlake/domain';
import { ZodError } from 'zod';
import { isPipelineState, MAIN_LINE, parseTaskEvent, PIPELINE_STATE_NAMES, requireContinue, ROW_PIPELINE } from './state-contract';

/*
 * The contract's own behaviour. Its agreement with the ASL (every state an entry, every entry a
 * state, functions, actions, Parameters and ResultPaths) is libs/state-machine's
 * state-contract.test.ts; what the deployed path sends and returns is the CLI's end-to-end test.
 */

const run = {
  run_id: '20240105T091000Z',
  execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake:20240105T091000Z',
  execution_name: '20240105T091000Z',
  started_at: '2024-01-05T09:10:00Z',
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/x.csv' },
};

describe('parseTaskEvent', () => {
  it('returns the parsed event when it matches the state', () => {
    expect(parseTaskEvent(ROW_PIPELINE.PlanChunks.event, { action: 'plan', run }, 'PlanChunks')).toEqual({ action: 'plan', run });
  });

  it('refuses an event that does not match with one InvalidEventError naming the state and every problem, never a ZodError', () => {
    let thrown: unknown;
    try {
      parseTaskEvent(ROW_PIPELINE.PlanChunks.event, { action: 'enrich-chunk', run: { ...run, run_id: undefined } }, 'PlanChunks');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect(thrown).not.toBeInstanceOf(ZodError);
    const invalid = thrown as InvalidEventError;
    expect(invalid.name).toBe('InvalidEventError');
    expect(invalid.state).toBe('PlanChunks');
    expect(invalid.problems).toEqual([expect.stringMatching(/^action: /), expect.stringMatching(/^run\.run_id: /)]);
    expect(invalid.message).toMatch(/^PlanChunks: the event is not valid: action: .*; run\.run_id: /);
  });

  it('says "the event" when the whole event is wrong', () => {
    expect(() => parseTaskEvent(ROW_PIPELINE.PlanChunks.event, 'not an object', 'PlanChunks')).toThrow(/^PlanChunks: the event is not valid: the event: /);
  });
});

describe('requireContinue', () => {
  const verdict = { condemned_rows: 0, condemned_by_reason: {} };

  it('lets a file loop prevention let through go on', () => {
    expect(() => requireContinue({ ...verdict, status: 'CONTINUE' }, 'ValidatePart')).not.toThrow();
  });

  it('refuses any other verdict, naming the state that was asked', () => {
    expect(() => requireContinue({ ...verdict, status: 'DUPLICATE_FILE', duplicate_of: 'r1' }, 'WritePart')).toThrow(
      new InvalidEventError('WritePart', ['loop_prevention.status: loop prevention ended the run (DUPLICATE_FILE); there is nothing to do']),
    );
  });
});

describe('the table', () => {
  it('knows its own states and nothing else, not even what every object has', () => {
    expect(isPipelineState('PlanChunks')).toBe(true);
    expect(isPipelineState('IsDuplicateFile')).toBe(false); // a Choice: no function, no contract
    expect(isPipelineState('constructor')).toBe(false);
    expect(isPipelineState('toString')).toBe(false);
  });

  it('runs the main line through states of the table, each filling its own section once', () => {
    for (const { state } of MAIN_LINE) expect(PIPELINE_STATE_NAMES).toContain(state);
    const sections = MAIN_LINE.map(({ section }) => section);
    expect(new Set(sections).size).toBe(sections.length);
    expect(sections.every((section) => section.length > 0)).toBe(true);
  });

  it('gives every Map children that are Tasks of the table', () => {
    for (const name of PIPELINE_STATE_NAMES) {
      const entry = ROW_PIPELINE[name];
      if (entry.kind !== 'map') continue;
      for (const child of entry.children) expect(ROW_PIPELINE[child as keyof typeof ROW_PIPELINE]?.kind).toBe('task');
    }
  });
});

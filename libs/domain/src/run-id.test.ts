import { backfillRunId, formatRunId, isBackfillRunId, RunIdSchema, runIdTime } from './run-id';

const at = new Date('2024-01-05T09:07:03.987Z');

describe('formatRunId', () => {
  it('formats the UTC time, dropping milliseconds', () => {
    expect(formatRunId(at)).toBe('20240105T090703Z');
  });

  it('writes two-digit fields without padding', () => {
    expect(formatRunId(new Date('2024-12-25T23:59:58Z'))).toBe('20241225T235958Z');
  });

  it('appends a suffix', () => {
    expect(formatRunId(at, 'a1b2')).toBe('20240105T090703Z-a1b2');
  });

  it('pads small years', () => {
    const early = new Date(0);
    early.setUTCFullYear(7, 0, 2);
    expect(formatRunId(early)).toBe('00070102T000000Z');
  });

  it.each(['', 'ABC', 'a-b', 'abcdefghijklm', 'é'])('rejects the suffix %j', (suffix) => {
    expect(() => formatRunId(at, suffix)).toThrow(`run-id: suffix ${JSON.stringify(suffix)} must match [a-z0-9]{1,12}`);
  });

  it('rejects an invalid Date', () => {
    expect(() => formatRunId(new Date(Number.NaN))).toThrow('run-id: invalid Date');
  });

  it('rejects years beyond 9999', () => {
    expect(() => formatRunId(new Date('+010000-01-01T00:00:00Z'))).toThrow('run-id: year 10000 is outside 0000-9999');
  });
});

describe('backfillRunId', () => {
  it('prefixes backfill-', () => {
    expect(backfillRunId(at)).toBe('backfill-20240105T090703Z');
    expect(backfillRunId(at, 'x9')).toBe('backfill-20240105T090703Z-x9');
  });
});

describe('isBackfillRunId', () => {
  it('tells backfill run ids apart', () => {
    expect([isBackfillRunId(backfillRunId(at)), isBackfillRunId(formatRunId(at))]).toEqual([true, false]);
  });
});

describe('RunIdSchema', () => {
  it.each(['20240105T090703Z', '20240105T090703Z-a1', 'backfill-20240105T090703Z', 'backfill-20240229T235959Z-abcdefghijkl'])(
    'accepts %j',
    (runId) => {
      expect(RunIdSchema.safeParse(runId).success).toBe(true);
    },
  );

  it.each([
    '',
    '2024-01-05T09:07:03Z',
    '20240105T090703',
    '20240105T090703Z-',
    '20240105T090703Z-ABC',
    '20240105T090703Z-abcdefghijklm',
    'Backfill-20240105T090703Z',
    'backfill-',
    ' 20240105T090703Z',
    '20230229T000000Z',
    '20241301T000000Z',
    '20240105T240000Z',
    '20240105T096000Z',
  ])('rejects %j', (runId) => {
    expect(RunIdSchema.safeParse(runId).success).toBe(false);
  });
});

describe('runIdTime', () => {
  it('reads the time back from every shape', () => {
    for (const runId of [formatRunId(at), formatRunId(at, 'z'), backfillRunId(at), backfillRunId(at, 'z')]) {
      expect(runIdTime(runId).toISOString()).toBe('2024-01-05T09:07:03.000Z');
    }
  });

  it('reads years below 100 literally', () => {
    expect(runIdTime('00500101T000000Z').getUTCFullYear()).toBe(50);
    expect(runIdTime('00000229T000000Z').toISOString()).toBe('0000-02-29T00:00:00.000Z');
  });

  it.each(['nope', '20230229T000000Z'])('throws for %j', (runId) => {
    expect(() => runIdTime(runId)).toThrow(`run-id: ${JSON.stringify(runId)} is not a run id`);
  });
});

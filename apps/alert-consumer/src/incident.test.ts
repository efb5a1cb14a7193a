import { writeRunRecordIfAbsent, type FailedRunRecord } from '@ledgerlake/ledgers';
import { createLakeLayout, MemoryObjectStore, stageBuckets } from '@ledgerlake/storage';
import { fixture } from '../tests/support/alerts';
import { parseAlertMessage } from './alert-message';
import { causeMessage, describeIncident, incidentId, stageOfStateMachine } from './incident';

const layout = createLakeLayout(stageBuckets('ledgerlake-prod'));
const RUN_ID = '20240201T090000Z-k3x9qa';

const RECORD: FailedRunRecord = {
  run_id: RUN_ID,
  execution_arn: `arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod:${RUN_ID}`,
  dataset: 'mortgages/transactions',
  mode: 'ingest',
  started_at: '2024-02-01T09:00:00.123Z',
  source: { bucket: 'ledgerlake-prod-bronze', key: 'mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv' },
  counts: { input_rows: 1200 },
  status: 'FAILED',
  failed_at: '2024-02-01T09:00:04.000Z',
  error: 'MissingColumnsError',
  cause: 'enrichment: s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv is missing required column(s) Currency',
  failed_state: 'Enrich',
};

function recorder() {
  const warnings: unknown[][] = [];
  return { warnings, warn: (...args: unknown[]) => warnings.push(args) };
}

describe('describeIncident', () => {
  it('describes a failed execution from its run record: failed state, error, cause, counts, links', async () => {
    const store = new MemoryObjectStore();
    await writeRunRecordIfAbsent(store, layout, RECORD);

    const incident = await describeIncident(parseAlertMessage(fixture('execution-failed')), { store, layout, stage: 'other' });

    expect(incident).toMatchObject({
      id: `execution-${RUN_ID}-FAILED`,
      kind: 'execution',
      status: 'FAILED',
      headline: `Run ${RUN_ID} failed`,
      stage: 'prod',
      region: 'eu-west-1',
      dataset: 'mortgages/transactions',
      runId: RUN_ID,
      executionName: RUN_ID,
      executionArn: RECORD.execution_arn,
      failedState: 'Enrich',
      error: 'MissingColumnsError',
      cause: RECORD.cause,
      inputFile: 's3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv',
      counts: { input_rows: 1200 },
      occurredAt: '2024-02-01T09:00:04.567Z',
    });
    expect(incident?.links.map((link) => link.label)).toEqual(['Execution', 'Run logs (Logs Insights)', 'Trace (X-Ray)', 'Run report']);
    expect(incident?.links[1]?.url).toContain('ledgerlake-prod-enrichment');
    // The report's object in the S3 console: a link that does not expire.
    expect(incident?.links[3]?.url).toBe(
      `https://eu-west-1.console.aws.amazon.com/s3/object/ledgerlake-prod-artifacts?region=eu-west-1&bucketType=general&prefix=${encodeURIComponent(`runs/${String(incident?.runId)}/report.html`)}`,
    );
  });

  it('falls back to the event when there is no run record: the message out of the Lambda cause, the input file from the input', async () => {
    const incident = await describeIncident(parseAlertMessage(fixture('execution-failed')), { store: new MemoryObjectStore(), layout, stage: 'prod' });

    expect(incident).toMatchObject({ error: 'MissingColumnsError', inputFile: expect.stringContaining('tx-feb.csv') });
    expect(incident?.cause).toMatch(/^enrichment: .* is missing required column\(s\) Currency/);
    expect(incident).not.toHaveProperty('failedState');
    expect(incident).not.toHaveProperty('counts');
  });

  it('falls back to the event, with a warning, when the run record cannot be read', async () => {
    const store = new MemoryObjectStore();
    await store.put(layout.artifacts.runRecord(RUN_ID), '{not json');
    const logger = recorder();

    const incident = await describeIncident(parseAlertMessage(fixture('execution-failed')), { store, layout, stage: 'prod', logger });

    expect(incident?.error).toBe('MissingColumnsError');
    expect(logger.warnings).toEqual([['run record not read, alerting with the event alone', expect.objectContaining({ run_id: RUN_ID })]]);
  });

  it("describes a failed run starter as the start that never happened, not as a run (its execution is no run's)", async () => {
    const store = new MemoryObjectStore();
    const incident = await describeIncident(parseAlertMessage(fixture('starter-failed')), { store, layout, stage: 'prod' });
    const sweep = fixture<{ detail: Record<string, unknown> }>('starter-failed');
    sweep.detail['input'] = JSON.stringify({ dataset: 'mortgages/transactions', mode: 'ingest', sweep: { bucket: 'ledgerlake-prod-bronze', days: 2 } });
    const swept = await describeIncident(parseAlertMessage(sweep), { store, layout, stage: 'prod' });

    expect(incident).toMatchObject({
      id: 'starter-3b0f7a52-8a1e-4c0e-9d7b-2f4a6c8e0b1d-FAILED',
      kind: 'execution',
      status: 'FAILED',
      headline: 'The run starter failed: no run was started for s3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv',
      stage: 'prod',
      dataset: 'mortgages/transactions',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:ledgerlake-prod-starter:3b0f7a52-8a1e-4c0e-9d7b-2f4a6c8e0b1d',
      error: 'StepFunctions.ExecutionLimitExceededException',
      inputFile: 's3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-01/tx-feb.csv',
    });
    expect(incident).not.toHaveProperty('runId');
    expect(incident?.links.map((link) => link.label)).toEqual(['Starter execution', 'Starter logs (Logs Insights)']);
    expect(incident?.links[1]?.url).toContain('vendedlogs');
    expect(incident?.links[1]?.url).toContain('ledgerlake-prod-starter');
    expect(swept?.headline).toBe('The run starter failed: the daily sweep of the last 2 ingest dates of ledgerlake-prod-bronze started no run, or not all');
  });

  it('describes a timed-out and an aborted execution', async () => {
    const deps = { store: new MemoryObjectStore(), layout, stage: 'prod' };

    const timedOut = await describeIncident(parseAlertMessage(fixture('execution-timed-out')), deps);
    const aborted = await describeIncident(parseAlertMessage(fixture('execution-aborted')), deps);

    expect(timedOut).toMatchObject({ status: 'TIMED_OUT', headline: 'Run 20240202T020000Z-p0q1r2 timed out', error: 'States.Timeout', cause: 'The execution timed out.' });
    expect(aborted).toMatchObject({ status: 'ABORTED', headline: 'Run 20240203T101500Z-ab12cd was aborted', id: 'execution-20240203T101500Z-ab12cd-ABORTED' });
    expect(aborted).not.toHaveProperty('error');
  });

  it('gives a redriven execution that fails again a new incident', async () => {
    const event = fixture<{ detail: Record<string, unknown> }>('execution-failed');
    event.detail['redriveCount'] = 1;

    const incident = await describeIncident(parseAlertMessage(event), { store: new MemoryObjectStore(), layout, stage: 'prod' });

    expect(incident?.id).toBe(`execution-${RUN_ID}-FAILED-redrive1`);
  });

  it('takes the configured stage when the state machine name does not tell one', async () => {
    const event = fixture<{ detail: Record<string, unknown> }>('execution-failed');
    event.detail['stateMachineArn'] = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ledgerlake';

    const incident = await describeIncident(parseAlertMessage(event), { store: new MemoryObjectStore(), layout, stage: 'local' });

    expect(incident?.stage).toBe('local');
  });

  it('sees no incident in a succeeded execution or an alarm going back to OK', async () => {
    const deps = { store: new MemoryObjectStore(), layout, stage: 'prod' };

    expect(await describeIncident(parseAlertMessage(fixture('execution-succeeded')), deps)).toBeUndefined();
    expect(await describeIncident(parseAlertMessage(fixture('alarm-ok')), deps)).toBeUndefined();
  });

  it('describes an alarm: region from its ARN, the reason, links to the alarm and to recent warnings', async () => {
    const incident = await describeIncident(parseAlertMessage(fixture('alarm-quarantine-rate')), { store: new MemoryObjectStore(), layout, stage: 'prod' });

    expect(incident).toMatchObject({
      kind: 'alarm',
      status: 'ALARM',
      headline: 'Alarm ledgerlake-prod-quarantine-rate is in ALARM',
      region: 'eu-west-1',
      dataset: 'mortgages/transactions',
      reasons: [expect.stringContaining('Quarantined rows are 5 %'), expect.stringContaining('[12.5 (01/02/24 09:05:00)]')],
      occurredAt: '2024-02-01T09:10:12.345Z',
    });
    expect(incident?.id).toBe('alarm-ledgerlake-prod-quarantine-rate-20240201T0910123450000');
    expect(incident?.links.map((link) => link.label)).toEqual(['Alarm', 'Recent warnings and errors (Logs Insights)']);
  });

  it('describes a blocked run: counts, reasons by the gate, links', async () => {
    const incident = await describeIncident(parseAlertMessage(fixture('run-blocked')), { store: new MemoryObjectStore(), layout, stage: 'other' });

    expect(incident).toMatchObject({
      id: 'run-blocked-20240204T061500Z-zz9y8x',
      status: 'BLOCKED',
      stage: 'prod',
      counts: { input_rows: 1500000, valid_rows: 1387000, quarantined_rows: 112500, condemned_rows: 500 },
      quarantineByReason: { CURRENCY_ERROR: 100000, TYPE_ERROR: 12500 },
      reasons: [expect.stringContaining('quarantine rate 7.50 %'), expect.stringContaining('condemned rows 500')],
      inputFile: 's3://ledgerlake-prod-bronze/mortgages/transactions/ingest_date=2024-02-04/tx-0204.csv',
    });
    expect(incident?.links[2]?.url).toContain('timeRange=2024-02-04T06:10~2024-02-04T06:22');
  });
});

describe('incidentId', () => {
  it('keeps a safe id readable and hashes anything else into a safe, distinct id', () => {
    expect(incidentId('execution', 'a-b_c.d', 'u')).toBe('execution-a-b_c.d');
    const spaced = incidentId('alarm', 'Quarantine spike!', 'arn-1');
    expect(spaced).toMatch(/^alarm-Quarantine_spike_-[0-9a-f]{16}$/);
    expect(incidentId('alarm', 'Quarantine spike?', 'arn-2')).not.toBe(spaced);
    expect(incidentId('execution', 'x'.repeat(200), 'u').length).toBeLessThanOrEqual(128);
  });
});

describe('stageOfStateMachine / causeMessage', () => {
  it('reads the stage of ledgerlake-<stage> machines only', () => {
    expect(stageOfStateMachine('arn:aws:states:eu-west-1:1:stateMachine:ledgerlake-prod')).toBe('prod');
    expect(stageOfStateMachine('arn:aws:states:eu-west-1:1:stateMachine:ledgerlake')).toBeUndefined();
    expect(stageOfStateMachine('arn:aws:states:eu-west-1:1:stateMachine:other-prod')).toBeUndefined();
  });

  it('takes the message out of a Lambda cause and leaves any other cause alone', () => {
    expect(causeMessage('{"errorType":"E","errorMessage":"boom","trace":[]}')).toBe('boom');
    expect(causeMessage('{"message":"x"}')).toBe('{"message":"x"}');
    expect(causeMessage('{broken')).toBe('{broken');
    expect(causeMessage('plain')).toBe('plain');
  });
});

import type { RunReport } from './facts';
import { escapeHtml, html } from './html';
import { renderRunIndex, renderRunReport } from './render';

const base: RunReport = {
  run_id: '20240105T090000Z-abc123',
  status: 'BLOCKED',
  where: 'local lake /tmp/lake',
  mode: 'ingest',
  dry_run: false,
  started_at: '2024-01-05T09:00:00.000Z',
  ended_at: '2024-01-05T09:00:02.500Z',
  duration_ms: 2500,
  why: ['quarantine rate 50.00 % (4 of 8 rows) is not below the limit of 5.00 %'],
  gate: {
    decision: 'BLOCKED',
    reasons: ['quarantine rate 50.00 % (4 of 8 rows) is not below the limit of 5.00 %'],
    checks: [
      { check: 'quarantine rate', measured: '50.00 % (4 of 8 rows)', limit: 'below 5.00 %', passed: false },
      { check: 'condemned rows', measured: '0', limit: 'below 100', passed: true },
    ],
  },
  breaker: { state: 'closed' },
  counts: { input_rows: 8, valid_rows: 4, quarantined_rows: 4, condemned_rows: 0 },
  amounts: { input: '100.00', valid: '60.00', quarantined: '40.00', condemned: '0.00' },
  reconciles: true,
  source: { bucket: 'bronze', key: 'mortgages/transactions/ingest_date=2024-01-05/april.csv', size: 420, sha256: 'a'.repeat(64), ingest_date: '2024-01-05', landed_at: '2024-01-05T08:59:58.000Z' },
  partitions: [{ partition: '2024-01', rows: 4, version: null, previous_version: null, now: 'not published' }],
  quarantine_by_reason: { CURRENCY_ERROR: 3, TYPE_ERROR: 1 },
  condemned_by_reason: {},
  examples: {
    quarantine: {
      CURRENCY_ERROR: [{ line: 3, field: 'Currency', value: '<script>alert(1)</script>', detail: 'Currency "<b>x</b>" is not allowed', attempt: 1 }],
      TYPE_ERROR: [{ line: 7, field: 'TransactionAmount', value: '"><img src=x onerror=alert(2)>', detail: "amount 'x' & more", attempt: 1 }],
    },
    condemned: {},
  },
  timeline: [
    { name: 'EnrichChunks', start_ms: 0, end_ms: 800, iterations: 2 },
    { name: 'EvaluateGate', start_ms: 2000, end_ms: 2100 },
  ],
  rows_per_second: 3,
  decisions: [{ what: 'retry of 1 row of run X', by: '<ana>', at: '2024-01-06T00:00:00.000Z', why: 'fixed & resent' }],
  links: [{ label: 'Execution', href: 'https://console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:1:execution:x:y' }],
  logs_command: 'ledgerlake logs 20240105T090000Z-abc123',
};

describe('renderRunReport', () => {
  it('shows the verdict, the reconciliation, the source, the months, the rejected rows by reason with examples, the timeline and the trail', () => {
    const page = renderRunReport(base);

    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('⊘ BLOCKED');
    expect(page).toContain('quarantine rate 50.00 % (4 of 8 rows) is not below the limit of 5.00 %');
    expect(page).toContain('✔ reconciles');
    expect(page).toContain('<tr><td>quarantine rate</td><td>50.00 % (4 of 8 rows)</td><td>below 5.00 %</td><td><span class="not-ok">✖ failed</span></td></tr>');
    expect(page).toContain('<tr><td>condemned rows</td><td>0</td><td>below 100</td><td><span class="ok">✔ passed</span></td></tr>');
    expect(page).toMatch(/<td>quarantined<\/td><td class="num">4<\/td><td class="num mono">40\.00<\/td>/);
    expect(page).toContain('mortgages/transactions/ingest_date=2024-01-05/april.csv');
    expect(page).toContain('<tr><th scope="row">Landed at</th><td>2024-01-05T08:59:58.000Z</td></tr>');
    expect(page).toMatch(/<title id="quarantined-rows-by-reason-t">Quarantined rows by reason<\/title><desc id="quarantined-rows-by-reason-d">CURRENCY_ERROR: 3 rows; TYPE_ERROR: 1 row<\/desc>/);
    expect(page).toContain('EnrichChunks (2 iterations)');
    expect(page).toContain('<code>ledgerlake logs 20240105T090000Z-abc123</code>');
    // Self-contained: no script, no external resource, a policy that forbids them anyway.
    expect(page).not.toMatch(/<script|<link|src="http|url\(/i);
    expect(page).toContain(`default-src 'none'`);
  });

  it('shows every value from a row as text: markup in a field is escaped, never run', () => {
    const page = renderRunReport(base);

    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page).toContain('Currency &quot;&lt;b&gt;x&lt;/b&gt;&quot; is not allowed');
    expect(page).toContain('&lt;ana&gt;');
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
  });

  it('stays small whatever the run size: counts and a few examples per reason', () => {
    const many = {
      ...base,
      counts: { input_rows: 10_000_000, valid_rows: 9_000_000, quarantined_rows: 1_000_000, condemned_rows: 0 },
      timeline: Array.from({ length: 40 }, (_, i) => ({ name: `State${i}`, start_ms: i * 1000, end_ms: i * 1000 + 900, iterations: 100 })),
    };

    expect(Buffer.byteLength(renderRunReport(many))).toBeLessThan(100_000);
  });
});

describe('renderRunIndex', () => {
  it('lists the runs newest first with links to their reports and draws the trends', () => {
    const page = renderRunIndex(
      [
        { run_id: '20240106T090000Z-b', status: 'PUBLISHED', started_at: '2024-01-06T09:00:00.000Z', input_rows: 10, quarantined_rows: 1, duration_ms: 1000 },
        { run_id: '20240105T090000Z-a', status: 'FAILED', started_at: '2024-01-05T09:00:00.000Z', input_rows: null, quarantined_rows: null, duration_ms: null },
      ],
      'stage prod',
    );

    expect(page).toContain('<a href="20240106T090000Z-b/report.html">20240106T090000Z-b</a>');
    expect(page.indexOf('20240106T090000Z-b')).toBeLessThan(page.indexOf('20240105T090000Z-a'));
    expect(page).toContain('10.00 %');
    expect(page).toContain('<title id="quarantine-rate-per-run-t">Quarantine rate per run</title>');
  });
});

describe('html', () => {
  it('escapes values and keeps its own markup', () => {
    expect(html`<p title="${'"x"'}">${'<b>'}${html`<i>ok</i>`}${null}${['a', '&']}</p>`.text).toBe('<p title="&quot;x&quot;">&lt;b&gt;<i>ok</i>a&amp;</p>');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
});

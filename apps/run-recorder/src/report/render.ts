import { barChart, formatDuration, timelineChart, trendChart } from './charts';
import type { ExampleRow, ReportStatus, RunReport } from './facts';
import { html, type Html, raw } from './html';

/*
 * The run report (`runs/<run_id>/report.html`) and the index of runs (`runs/index.html`): one
 * self-contained file each — inline CSS, SVG charts, no script, no font, no request — readable from
 * S3, an e-mail attachment or a laptop. Sections in the order a person asks: the verdict and why,
 * the reconciliation, the source, what was published, the rejected rows, the timeline, the trail.
 */

const STYLE = raw(`
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--good:#1a7f37;--bad:#b42318;--warn:#9a6700;--neutral:#3d5a80;--map:#6f42c1}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted);margin:0 0 12px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;border:2px solid currentColor}
.PUBLISHED{color:var(--good)}.BLOCKED,.FAILED{color:var(--bad)}.INTERRUPTED,.INCOMPLETE,.CHECKED{color:var(--warn)}.SKIPPED{color:var(--neutral)}
table{border-collapse:collapse;margin:8px 0;width:100%}caption{text-align:left;font-weight:600;padding:4px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.chart{max-width:760px;display:block;margin:8px 0}.chart .label,.chart .value{font:12px system-ui,sans-serif;fill:var(--ink)}
.bar.good{fill:var(--good)}.bar.bad{fill:var(--bad)}.bar.warn{fill:var(--warn)}.bar.neutral{fill:var(--neutral)}.bar.map{fill:var(--map)}
.axis{stroke:var(--muted)}.trend{fill:none;stroke:var(--neutral);stroke-width:2}.point{fill:var(--neutral)}
ul.why{margin:4px 0 0;padding-left:20px}
.ok{color:var(--good);font-weight:700}.not-ok{color:var(--bad);font-weight:700}
`);

const SYMBOL: Record<ReportStatus, string> = {
  PUBLISHED: '✔',
  BLOCKED: '⊘',
  FAILED: '✖',
  INTERRUPTED: '‖',
  CHECKED: '☑',
  SKIPPED: '↷',
  INCOMPLETE: '…',
};

function page(title: string, body: Html): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`.text;
}

const n = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : value.toLocaleString('en-US'));

/** The run report as one HTML document. */
export function renderRunReport(report: RunReport): string {
  const counts = report.counts;
  const rate = counts === null || counts.input_rows === 0 ? null : (counts.quarantined_rows / counts.input_rows) * 100;
  return page(
    `LedgerLake run ${report.run_id}: ${report.status}`,
    html`
<header>
<h1><span class="badge ${report.status}">${SYMBOL[report.status]} ${report.status}</span> Run <span class="mono">${report.run_id}</span></h1>
<p class="meta">${report.where} · mode ${report.mode ?? 'unknown'}${report.backfill_month === undefined ? '' : ` (month ${report.backfill_month})`}${report.dry_run ? ' · dry run' : ''} · started ${report.started_at ?? '?'} · ${report.duration_ms === null ? 'duration unknown' : formatDuration(report.duration_ms)}</p>
</header>

<section aria-labelledby="verdict"><h2 id="verdict">Verdict</h2>
<ul class="why">${report.why.map((line) => html`<li>${line}</li>`)}</ul>
<table><tbody>
<tr><th scope="row">Promotion gate</th><td>${report.gate === undefined ? 'not reached' : html`${report.gate.decision}${report.gate.reasons.length === 0 ? ' — every threshold met' : html`: ${report.gate.reasons.join('; ')}`}`}</td></tr>
<tr><th scope="row">Circuit breaker</th><td>${report.breaker.state.toUpperCase()}${report.breaker.detail === undefined ? '' : ` — ${report.breaker.detail}`}</td></tr>
${report.error === undefined ? '' : html`<tr><th scope="row">Error</th><td><code>${report.error.name}</code> in ${report.error.state ?? 'an unknown state'}: ${report.error.message}</td></tr>`}
</tbody></table>
${report.gate === undefined || report.gate.checks.length === 0
  ? ''
  : html`<table><caption>The promotion gate's conditions</caption><thead><tr><th scope="col">Condition</th><th scope="col">Measured</th><th scope="col">Limit</th><th scope="col">Result</th></tr></thead><tbody>
${report.gate.checks.map((c) => html`<tr><td>${c.check}</td><td>${c.measured}</td><td>${c.limit}</td><td>${c.passed === null ? '— not applied (a retry run)' : c.passed ? html`<span class="ok">✔ passed</span>` : html`<span class="not-ok">✖ failed</span>`}</td></tr>`)}
</tbody></table>`}</section>

<section aria-labelledby="reconciliation"><h2 id="reconciliation">Reconciliation</h2>
${counts === null
  ? html`<p>No counts: the run stopped before its rows were counted.</p>`
  : html`<p>${report.reconciles === true ? html`<span class="ok">✔ reconciles</span>` : report.reconciles === false ? html`<span class="not-ok">✖ does not reconcile</span>` : ''} input = valid + quarantined + condemned${rate === null ? '' : ` · quarantine rate ${rate.toFixed(2)} %`}</p>
<table><thead><tr><th scope="col">Rows</th><th scope="col" class="num">Count</th><th scope="col" class="num">Amount (exact)</th></tr></thead><tbody>
<tr><td>input</td><td class="num">${n(counts.input_rows)}</td><td class="num mono">${report.amounts?.input ?? '—'}</td></tr>
<tr><td>valid (Silver)</td><td class="num">${n(counts.valid_rows)}</td><td class="num mono">${report.amounts?.valid ?? '—'}</td></tr>
<tr><td>quarantined</td><td class="num">${n(counts.quarantined_rows)}</td><td class="num mono">${report.amounts?.quarantined ?? '—'}</td></tr>
<tr><td>condemned</td><td class="num">${n(counts.condemned_rows)}</td><td class="num mono">${report.amounts?.condemned ?? '—'}</td></tr>
</tbody></table>`}</section>

<section aria-labelledby="source"><h2 id="source">Source</h2>
<table><tbody>
<tr><th scope="row">Bronze object</th><td class="mono">${report.source.bucket}/${report.source.key}</td></tr>
<tr><th scope="row">Size</th><td>${report.source.size === null ? '—' : `${n(report.source.size)} bytes`}</td></tr>
<tr><th scope="row">SHA-256</th><td class="mono">${report.source.sha256 ?? '—'}</td></tr>
<tr><th scope="row">Ingest date</th><td>${report.source.ingest_date ?? '—'}</td></tr>
<tr><th scope="row">Landed at</th><td>${report.source.landed_at ?? '—'}</td></tr>
</tbody></table></section>

<section aria-labelledby="published"><h2 id="published">Published months</h2>
${report.partitions.length === 0
  ? html`<p>No month: the run wrote no valid rows, or stopped before writing them.</p>`
  : html`<table><thead><tr><th scope="col">Month</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Version</th><th scope="col" class="num">Previous version</th><th scope="col">Now</th></tr></thead><tbody>
${report.partitions.map((p) => html`<tr><td>${p.partition}</td><td class="num">${n(p.rows)}</td><td class="num">${p.version ?? 'not published'}</td><td class="num">${p.previous_version ?? '—'}</td><td>${p.now}</td></tr>`)}
</tbody></table>`}</section>

${rejected('Quarantined rows by reason', 'quarantine', report.quarantine_by_reason, report.examples.quarantine, 'warn')}
${rejected('Condemned rows by reason', 'condemned', report.condemned_by_reason, report.examples.condemned, 'bad')}

<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
${report.timeline.length === 0
  ? html`<p>No timeline was recorded for this run.</p>`
  : html`${timelineChart('States of the run and their durations', report.timeline)}
<table><thead><tr><th scope="col">State</th><th scope="col" class="num">Started at</th><th scope="col" class="num">Duration</th></tr></thead><tbody>
${report.timeline.map((s) => html`<tr><td>${s.name}${s.iterations === undefined ? '' : ` (${s.iterations} ${s.iterations === 1 ? 'iteration' : 'iterations'})`}</td><td class="num">${formatDuration(s.start_ms)}</td><td class="num">${formatDuration(s.end_ms - s.start_ms)}</td></tr>`)}
</tbody></table>`}
<p>Throughput: ${report.rows_per_second === null ? '—' : `${n(report.rows_per_second)} rows/s`}</p></section>

<section aria-labelledby="decisions"><h2 id="decisions">Runbook decisions</h2>
${report.decisions.length === 0
  ? html`<p>None recorded about this run's rows.</p>`
  : html`<table><thead><tr><th scope="col">What</th><th scope="col">Who</th><th scope="col">When</th><th scope="col">Why</th></tr></thead><tbody>
${report.decisions.map((d) => html`<tr><td>${d.what}</td><td>${d.by ?? 'the pipeline'}</td><td>${d.at}</td><td>${d.why ?? '—'}</td></tr>`)}
</tbody></table>`}</section>

<section aria-labelledby="trail"><h2 id="trail">Trail</h2>
<table><tbody>
<tr><th scope="row">Run id</th><td class="mono">${report.run_id}</td></tr>
${report.logs_command === null ? '' : html`<tr><th scope="row">Log lines</th><td><code>${report.logs_command}</code></td></tr>`}
${report.links.map((link) => html`<tr><th scope="row">${link.label}</th><td><a href="${link.href}">${link.href}</a></td></tr>`)}
</tbody></table></section>
`,
  );
}

function rejected(title: string, kind: string, byReason: Readonly<Record<string, number | undefined>>, examples: Readonly<Record<string, readonly ExampleRow[]>>, tone: 'warn' | 'bad'): Html {
  const bars = Object.entries(byReason)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([code, count]) => ({ label: code, value: count ?? 0, tone }));
  const id = `${kind}-rows`;
  if (bars.length === 0) return html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2><p>None.</p></section>`;
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>
${barChart(title, bars, 'rows')}
${bars.map(
  (bar) => html`<h3>${bar.label}: ${n(bar.value)} ${bar.value === 1 ? 'row' : 'rows'}</h3>
<table><thead><tr><th scope="col" class="num">Line</th><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Detail</th><th scope="col" class="num">Earlier attempts</th></tr></thead><tbody>
${(examples[bar.label] ?? []).map((row) => html`<tr><td class="num">${row.line}</td><td>${row.field || '—'}</td><td class="mono">${row.value}</td><td>${row.detail}</td><td class="num">${row.attempt}</td></tr>`)}
</tbody></table>`,
)}</section>`;
}

/** One run on the index page. */
export interface IndexEntry {
  readonly run_id: string;
  readonly status: ReportStatus;
  readonly started_at: string | null;
  readonly input_rows: number | null;
  readonly quarantined_rows: number | null;
  readonly duration_ms: number | null;
}

/** The index of runs: newest first, with trends of volume and quarantine rate (oldest left). */
export function renderRunIndex(entries: readonly IndexEntry[], where: string): string {
  const recent = [...entries].slice(0, 60).reverse();
  const rate = (e: IndexEntry) => (e.input_rows === null || e.input_rows === 0 || e.quarantined_rows === null ? 0 : Math.round((e.quarantined_rows / e.input_rows) * 10000) / 100);
  return page(
    `LedgerLake runs (${where})`,
    html`<header><h1>Runs</h1><p class="meta">${where} · ${entries.length} ${entries.length === 1 ? 'run' : 'runs'}, newest first</p></header>
<section aria-labelledby="trends"><h2 id="trends">Trends</h2>
${trendChart('Input rows per run', recent.map((e) => ({ label: e.run_id, value: e.input_rows ?? 0 })), 'rows')}
${trendChart('Quarantine rate per run', recent.map((e) => ({ label: e.run_id, value: rate(e) })), '%')}
</section>
<section aria-labelledby="list"><h2 id="list">Recent runs</h2>
<table><thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Quarantine rate</th><th scope="col" class="num">Duration</th></tr></thead><tbody>
${entries.map(
  (e) => html`<tr><td class="mono"><a href="${e.run_id}/report.html">${e.run_id}</a></td><td><span class="${e.status}">${SYMBOL[e.status]} ${e.status}</span></td><td>${e.started_at ?? '—'}</td><td class="num">${n(e.input_rows)}</td><td class="num">${e.input_rows === null ? '—' : `${rate(e).toFixed(2)} %`}</td><td class="num">${e.duration_ms === null ? '—' : formatDuration(e.duration_ms)}</td></tr>`,
)}
</tbody></table></section>`,
  );
}

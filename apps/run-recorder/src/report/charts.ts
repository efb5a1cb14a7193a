import { html, type Html } from './html';

/*
 * Charts as plain SVG, drawn on the server: they need no JavaScript, and each is an image with a
 * title and a description, its numbers written beside the marks and repeated in a table, so that
 * neither a screen reader nor a reader who cannot tell the colours apart loses anything.
 */

/** One bar: its label, its value and (optionally) a class naming its meaning, e.g. `bad`. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly tone?: 'good' | 'bad' | 'warn' | 'neutral';
}

/** A horizontal bar chart; the value is printed at the end of each bar. */
export function barChart(title: string, bars: readonly Bar[], unit: string): Html {
  const row = 26;
  const labelWidth = 190;
  const barWidth = 360;
  const height = Math.max(1, bars.length) * row + 8;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const description = bars.map((bar) => `${bar.label}: ${bar.value} ${bar.value === 1 ? unit.replace(/s$/, '') : unit}`).join('; ') || 'nothing to show';
  return html`<svg class="chart" role="img" aria-labelledby="${id(title)}-t ${id(title)}-d" viewBox="0 0 ${labelWidth + barWidth + 110} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
<title id="${id(title)}-t">${title}</title><desc id="${id(title)}-d">${description}</desc>
${bars.map((bar, i) => {
  const y = i * row + 4;
  const width = bar.value === 0 ? 0 : Math.max(2, Math.round((bar.value / max) * barWidth));
  return html`<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" class="label">${bar.label}</text><rect x="${labelWidth}" y="${y + 3}" width="${width}" height="${row - 8}" class="bar ${bar.tone ?? 'neutral'}"></rect><text x="${labelWidth + width + 6}" y="${y + 16}" class="value">${bar.value.toLocaleString('en-US')} ${bar.value === 1 ? unit.replace(/s$/, '') : unit}</text>`;
})}
</svg>`;
}

/** One span of a timeline: a state, when it began and ended (ms from the run's start), and Map iterations if any. */
export interface Span {
  readonly name: string;
  readonly start_ms: number;
  readonly end_ms: number;
  readonly iterations?: number;
}

/** A Gantt-like timeline: one row per state, its bar from its start to its end, its duration written beside it. */
export function timelineChart(title: string, spans: readonly Span[]): Html {
  const row = 24;
  const labelWidth = 190;
  const width = 420;
  const total = Math.max(1, ...spans.map((span) => span.end_ms));
  const height = Math.max(1, spans.length) * row + 24;
  const x = (ms: number) => labelWidth + Math.round((ms / total) * width);
  const description = spans.map((span) => `${span.name}: ${formatDuration(span.end_ms - span.start_ms)} from ${formatDuration(span.start_ms)}`).join('; ') || 'no states recorded';
  return html`<svg class="chart" role="img" aria-labelledby="${id(title)}-t ${id(title)}-d" viewBox="0 0 ${labelWidth + width + 130} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
<title id="${id(title)}-t">${title}</title><desc id="${id(title)}-d">${description}</desc>
<line x1="${labelWidth}" y1="${height - 16}" x2="${labelWidth + width}" y2="${height - 16}" class="axis"></line>
<text x="${labelWidth}" y="${height - 2}" class="value">0 s</text><text x="${labelWidth + width}" y="${height - 2}" text-anchor="end" class="value">${formatDuration(total)}</text>
${spans.map((span, i) => {
  const y = i * row + 2;
  const left = x(span.start_ms);
  const barWidth = Math.max(2, x(span.end_ms) - left);
  const iterations = span.iterations === undefined ? '' : ` · ${span.iterations} ${span.iterations === 1 ? 'iteration' : 'iterations'}`;
  return html`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="label">${span.name}</text><rect x="${left}" y="${y + 3}" width="${barWidth}" height="${row - 8}" class="bar ${span.iterations === undefined ? 'neutral' : 'map'}"></rect><text x="${Math.min(left + barWidth + 6, labelWidth + width + 4)}" y="${y + 15}" class="value">${formatDuration(span.end_ms - span.start_ms)}${iterations}</text>`;
})}
</svg>`;
}

/** One point of a trend: its label (a run or a day) and its value. */
export interface Point {
  readonly label: string;
  readonly value: number;
}

/** A trend line over time (oldest left), with its first and last values written out. */
export function trendChart(title: string, points: readonly Point[], unit: string): Html {
  const width = 560;
  const height = 140;
  const max = Math.max(1e-9, ...points.map((p) => p.value));
  const step = points.length <= 1 ? 0 : width / (points.length - 1);
  const coordinates = points.map((p, i) => `${Math.round(40 + i * step)},${Math.round(height - 20 - (p.value / max) * (height - 40))}`);
  const description = points.length === 0 ? 'no runs yet' : `${points.length} runs, from ${points[0]?.value} to ${points.at(-1)?.value} ${unit}; highest ${max} ${unit}`;
  return html`<svg class="chart" role="img" aria-labelledby="${id(title)}-t ${id(title)}-d" viewBox="0 0 ${width + 80} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">
<title id="${id(title)}-t">${title}</title><desc id="${id(title)}-d">${description}</desc>
<line x1="40" y1="${height - 20}" x2="${width + 40}" y2="${height - 20}" class="axis"></line>
<text x="36" y="24" text-anchor="end" class="value">${max}</text><text x="36" y="${height - 20}" text-anchor="end" class="value">0</text>
${points.length > 1 ? html`<polyline points="${coordinates.join(' ')}" class="trend"></polyline>` : ''}
${coordinates.map((c) => html`<circle cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="3" class="point"></circle>`)}
</svg>`;
}

/** `1.2 s`, `340 ms`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function id(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

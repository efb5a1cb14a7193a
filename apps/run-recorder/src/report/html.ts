/*
 * HTML built from tagged templates: every interpolated value is escaped unless it is markup this
 * module made (`Html`), so a field holding `<script>` is shown as text, never run.
 */

/** Markup that is safe to insert as it is (built by `html` or `raw`). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A value as HTML text: `& < > " '` escaped. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(part);
}

/** `html\`<p>${value}</p>\``: the literal parts as written, each value escaped (arrays joined, null/undefined/false left out). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, literal, i) => out + literal + (i < values.length ? render(values[i] as Part) : ''), ''));
}

/** Markup written by this module itself (CSS, an SVG path), never a value from a run. */
export function raw(text: string): Html {
  return new Html(text);
}

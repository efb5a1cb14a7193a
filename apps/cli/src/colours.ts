/*
 * Status colours on a terminal: a run's status word where the human output puts it — at the start
 * of a summary line (`PUBLISHED  q1.csv  …`) or right after a run id (`runs`, `watch`, listings).
 * None when the output is not a terminal, when NO_COLOR is set (no-color.org) or TERM is dumb.
 * Coloured after alignment, so the columns stay where they were.
 */

const SGR: Readonly<Record<string, string>> = {
  PUBLISHED: '32',
  RESOLVED: '32',
  APPROVED: '32',
  CLOSED: '32',
  BLOCKED: '33',
  OPEN: '33',
  CONDEMNED: '33',
  EMPTY: '36',
  SKIPPED: '36',
  CHECKED: '36',
  ROLLBACK: '36',
  FAILED: '31',
  UNREADABLE: '31',
  REJECTED: '31',
  INTERRUPTED: '35',
  PROMOTING: '35',
  INCOMPLETE: '35',
  RUNNING: '35',
  RETRYING: '35',
  REQUARANTINED: '33',
};

const WORDS = Object.keys(SGR).join('|');
const AT_LINE_START = new RegExp(`^(${WORDS})(?= |$)`, 'gm');
const AFTER_RUN_ID = new RegExp(`^((?:backfill-)?\\d{8}T\\d{6}Z(?:-[a-z0-9]{1,16})? +)(${WORDS})(?= |$)`, 'gm');

/** Whether human output to `out` is coloured. */
export function coloursWanted(out: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return out.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

/** `text` with its status words coloured (see the module comment). */
export function colourStatuses(text: string): string {
  const paint = (word: string) => `\x1b[${SGR[word] ?? '0'}m${word}\x1b[0m`;
  return text.replace(AT_LINE_START, (word) => paint(word)).replace(AFTER_RUN_ID, (_, id: string, word: string) => `${id}${paint(word)}`);
}

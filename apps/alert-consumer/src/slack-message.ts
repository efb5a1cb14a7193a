import type { RunCounts } from '@ledgerlake/domain';
import type { Incident } from './incident';

/*
 * The Slack message of an incident, in Block Kit. Slack's limits: a header 150 characters, a
 * section's text 3000, a field 2000 (at most 10 fields), a button label 75 and its URL 3000, the
 * top-level `text` (the notification fallback) is kept short. Anything longer is cut, with a mark.
 */

/** A text object. */
export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

/** A link button. */
export interface SlackButton {
  readonly type: 'button';
  readonly text: SlackText;
  readonly url: string;
  readonly action_id: string;
}

/** The blocks this function posts. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

/** An incoming-webhook payload. */
export interface SlackMessage {
  /** The notification text (and what clients without blocks show). */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Slack's limits, in characters. */
export const SLACK_LIMITS = { header: 150, section: 3000, field: 2000, fields: 10, button: 75, url: 3000, text: 3000 } as const;

const TRUNCATED = '… [truncated]';

/** `text` cut to at most `max` characters (code points), ending with `… [truncated]` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - [...TRUNCATED].length)).join('') + TRUNCATED;
}

/** `text` escaped for mrkdwn and cut to `max` characters, never in the middle of an `&amp;`-style entity. */
export function escapedWithin(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  const chars = [...escaped];
  if (chars.length <= max) return escaped;
  const kept = chars.slice(0, Math.max(0, max - [...TRUNCATED].length)).join('');
  return kept.replace(/&[a-z]{0,3}$/, '') + TRUNCATED;
}

/** Escapes the three characters Slack's mrkdwn reserves. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const EMOJI: Readonly<Record<string, string>> = {
  FAILED: ':rotating_light:',
  TIMED_OUT: ':hourglass:',
  ABORTED: ':octagonal_sign:',
  BLOCKED: ':no_entry:',
  ALARM: ':warning:',
};

const COUNT_LABELS: readonly [keyof RunCounts, string][] = [
  ['input_rows', 'input'],
  ['valid_rows', 'valid'],
  ['quarantined_rows', 'quarantined'],
  ['condemned_rows', 'condemned'],
];

/** The one Slack message of an incident. */
export function slackMessage(incident: Incident): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${EMOJI[incident.status] ?? ''} ${incident.headline}`.trim(), SLACK_LIMITS.header), emoji: true } },
  ];

  const fields = factFields(incident);
  if (fields.length > 0) blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) });
  if (incident.cause !== undefined) {
    blocks.push({ type: 'section', text: mrkdwn(codeSection('Cause', incident.cause)) });
  }
  const counts = countsLine(incident.counts);
  if (counts !== undefined) blocks.push({ type: 'section', text: mrkdwn(truncate(`*Counts*\n${counts}`, SLACK_LIMITS.section)) });
  if (incident.reasons !== undefined && incident.reasons.length > 0) {
    const title = incident.kind === 'alarm' ? '*Reason*' : '*Why it was blocked*';
    const lines = incident.reasons.map((reason) => `• ${reason}`).join('\n');
    blocks.push({ type: 'section', text: mrkdwn(`${title}\n${escapedWithin(lines, SLACK_LIMITS.section - title.length - 1)}`) });
  }
  const buttons = incident.links
    .filter((link) => link.url.length <= SLACK_LIMITS.url)
    .map((link, index): SlackButton => ({
      type: 'button',
      text: { type: 'plain_text', text: truncate(link.label, SLACK_LIMITS.button) },
      url: link.url,
      action_id: `link-${index}`,
    }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(escapeMrkdwn(`incident ${incident.id} · ${incident.occurredAt}${incident.stage === undefined ? '' : ` · stage ${incident.stage}`} · ${incident.region}`))],
  });

  const where = incident.failedState === undefined ? '' : ` in ${incident.failedState}`;
  const what = incident.error === undefined ? '' : `: ${incident.error}`;
  const gist = `${incident.headline}${where}${what}`;
  return { text: truncate(escapeMrkdwn(gist), SLACK_LIMITS.text), blocks };
}

function factFields(incident: Incident): SlackText[] {
  const facts: [string, string | undefined, boolean][] = [
    ['Dataset', incident.dataset, false],
    ['Run id', incident.runId, true],
    ['Execution', incident.executionName, true],
    ['Failed state', incident.failedState, true],
    ['Error', incident.error, true],
    ['Input file', incident.inputFile, true],
    ['Status', incident.status, false],
  ];
  return facts
    .filter((fact): fact is [string, string, boolean] => fact[1] !== undefined && fact[1] !== '')
    .map(([label, value, code]) => {
      const shown = escapedWithin(code ? value.replace(/`/g, "'") : value, SLACK_LIMITS.field - label.length - 6);
      return mrkdwn(`*${label}*\n${code ? `\`${shown}\`` : shown}`);
    });
}

/** A titled code block whose whole text stays within a section's 3000 characters. */
function codeSection(title: string, body: string): string {
  const head = `*${title}*\n\`\`\``;
  const tail = '```';
  return `${head}${escapedWithin(body.replace(/```/g, "'''"), SLACK_LIMITS.section - head.length - tail.length)}${tail}`;
}

function countsLine(counts: Partial<RunCounts> | undefined): string | undefined {
  if (counts === undefined) return undefined;
  const parts = COUNT_LABELS.filter(([key]) => counts[key] !== undefined).map(([key, label]) => `${label} ${counts[key]}`);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text };
}

/**
 * The message as plain text, block by block (what the local command prints when no webhook is set):
 * the same message as Slack would show, without the markup.
 */
export function slackMessageText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        lines.push(plain(block.text.text));
        break;
      case 'section':
        if (block.fields !== undefined) lines.push(...block.fields.map((field) => plain(field.text).replace('\n', ': ')));
        if (block.text !== undefined) lines.push(plain(block.text.text).replace('\n', ':\n'));
        break;
      case 'actions':
        lines.push(...block.elements.map((button) => `${button.text.text}: ${button.url}`));
        break;
      case 'context':
        lines.push(...block.elements.map((element) => plain(element.text)));
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}

function plain(text: string): string {
  return text
    .replace(/```/g, '')
    .replace(/(^|\n)\*([^*\n]+)\*/g, '$1$2')
    .replace(/`([^`\n]*)`/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

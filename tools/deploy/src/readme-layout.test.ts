import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * The root README's "Layout" section is the map a newcomer reads first: every entry it names
 * exists, and every project folder (apps/, libs/, tools/) and every document under docs/ is on it.
 */

const REPO = resolve(__dirname, '../../..');

/** The paths the layout block names, with their parents (`  enrichment/` under `apps/` → `apps/enrichment/`). */
function layoutEntries(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  const entries: string[] = [];
  let parent = '';
  for (const line of block.split('\n')) {
    const match = /^( *)(\S+)/.exec(line);
    if (match === null) continue;
    const [, indent = '', name = ''] = match;
    const path = indent.length > 0 ? `${parent}${name}` : name;
    if (indent.length === 0) parent = name.endsWith('/') ? name : '';
    entries.push(path);
  }
  return entries;
}

const folders = (dir: string): string[] =>
  readdirSync(join(REPO, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist')
    .map((entry) => `${dir}/${entry.name}/`);

describe('the README layout', () => {
  const entries = layoutEntries();

  it('names only what exists', () => {
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.filter((path) => !existsSync(join(REPO, path)))).toEqual([]);
  });

  it('names every project folder and every document', () => {
    const docs = readdirSync(join(REPO, 'docs'), { withFileTypes: true })
      .filter((entry) => entry.name !== 'images')
      .map((entry) => `docs/${entry.name}${entry.isDirectory() ? '/' : ''}`);
    const expected = [...folders('apps'), ...folders('libs'), ...folders('tools'), ...docs];

    expect(expected.filter((path) => !entries.includes(path))).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository the command runs from (the folder holding nx.json), found from this module's own
 * folder up: the command reads the repository's SQL (sql/) from there, whether it runs from its
 * sources (src/) or its bundle (dist/<build>/), whatever the working folder.
 */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cli: no repository (nx.json) above ${from}`);
  }
}

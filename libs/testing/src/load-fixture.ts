import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/**
 * Read and JSON-parse the fixture `name` in `dir` (`.json` is added when `name` has no
 * extension). Throws naming the full path when the file is missing or is not JSON. The result is
 * not checked against `T`: parse it with the schema under test when that matters.
 */
export function loadFixture<T = unknown>(dir: string, name: string): T {
  const path = join(dir, extname(name) === '' ? `${name}.json` : name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable';
    throw new Error(`testing: fixture ${reason}: ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`testing: fixture is not valid JSON: ${path}: ${(error as Error).message}`, { cause: error });
  }
}

import { join } from 'node:path';
import { loadFixture } from './load-fixture';

const FIXTURES = join(__dirname, '..', 'tests', 'fixtures');

describe('loadFixture', () => {
  it('reads and parses a JSON fixture', () => {
    const event = loadFixture<{ run: { run_id: string } }>(FIXTURES, 'state-input.json');

    expect(event.run.run_id).toBe('20250114T093012Z-7f3a');
  });

  it('adds .json when the name has no extension', () => {
    expect(loadFixture(FIXTURES, 'state-input')).toEqual(loadFixture(FIXTURES, 'state-input.json'));
  });

  it('names the full path of a missing fixture', () => {
    expect(() => loadFixture(FIXTURES, 'no-such-event.json')).toThrow(
      `testing: fixture not found: ${join(FIXTURES, 'no-such-event.json')}`,
    );
  });

  it('names the full path of a fixture that is not JSON', () => {
    expect(() => loadFixture(FIXTURES, 'truncated.json')).toThrow(
      `testing: fixture is not valid JSON: ${join(FIXTURES, 'truncated.json')}`,
    );
  });
});

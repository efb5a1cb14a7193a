import { ConfigError } from '@ledgerlake/domain';
import type { z } from 'zod';

/** The environment as the handler received it (`process.env`, or a literal in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Values shorter than this are not redacted from messages: they would match ordinary words. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Parse `env` with `schema`, once, at cold start.
 *
 * An empty value counts as unset, so `.optional()` and `.default()` apply to it. Keys that the
 * schema does not name are ignored. On failure, throws one `ConfigError` that names every bad or
 * missing key and what was expected, and never a value (a value may be a secret).
 *
 * @param component - who is reading the configuration; starts the error message.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env, component: string): z.output<S> {
  const normalised: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    normalised[key] = value === '' ? undefined : value;
  }

  const result = schema.safeParse(normalised);
  if (result.success) return result.data;

  const problems = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
    const topKey = issue.path[0];
    const missing = typeof topKey === 'string' && normalised[topKey] === undefined;
    const expectation =
      missing && issue.code === 'invalid_type' && !issue.message.startsWith('expected')
        ? `expected ${issue.expected}` // zod's default adds "received undefined": noise here
        : redact(issue.message, typeof topKey === 'string' ? normalised[topKey] : undefined);
    const list = problems.get(key) ?? [];
    const problem = `${missing ? 'missing' : 'invalid'}, ${expectation}`;
    if (!list.includes(problem)) list.push(problem);
    problems.set(key, list);
  }

  const issues = [...problems].map(([key, list]) => ({ key, problem: list.join('; ') }));
  const summary = issues.map(({ key, problem }) => `${key} (${problem})`).join(', ');
  const noun = issues.length === 1 ? 'key' : 'keys';
  throw new ConfigError(`${component}: invalid configuration, ${issues.length} bad ${noun}: ${summary}`, issues);
}

/** A custom refinement message could quote the value; make sure it cannot leak. */
function redact(message: string, value: string | undefined): string {
  if (value === undefined || value.length < MIN_REDACTED_LENGTH) return message;
  return message.split(value).join('<redacted>');
}

import { InvalidArgumentError } from 'commander';
import { type DailyTime, parseDailyTime } from './schedule';

/* How the commands' option values are read: a wrong one is commander's usage error (exit 2) with the reason. */

export function parseStatuses(value: string): string[] {
  return value.split(',').map((status) => status.trim().toUpperCase());
}

/** `--since`: an ISO date or time, or a time ago (`90m`, `12h`, `7d`). */
export function parseSince(value: string, now: Date): Date {
  const ago = /^(\d+)([mhd])$/.exec(value.trim());
  if (ago !== null) return new Date(now.getTime() - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'm' | 'h' | 'd']);
  const at = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) ? new Date(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim()) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) throw new InvalidArgumentError(`expected an ISO date or time (2024-05-01, 2024-05-01T10:00Z) or a time ago (90m, 12h, 7d), got '${value}'`);
  return at;
}

export function parseLimit(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new InvalidArgumentError(`expected a positive number of runs, got '${value}'`);
  return Number(value);
}

export function parseDaily(value: string): DailyTime {
  try {
    return parseDailyTime(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError(`expected a month YYYY-MM, got '${value}'`);
  return value;
}

export function parseWorkers(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count > 256) throw new InvalidArgumentError(`expected a number of worker threads 0..256, got '${value}'`);
  return count;
}

export function parseInterval(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0)) throw new InvalidArgumentError(`expected a positive number of seconds, got '${value}'`);
  return seconds;
}

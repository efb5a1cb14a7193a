/*
 * The daily trigger of `ledgerlake watch --daily HH:MM` (docs/contract/orchestration.md, "Triggers": a daily schedule that
 * processes the Bronze objects not yet processed). Pure: the clock is always passed in.
 */

/** A time of day, UTC. */
export interface DailyTime {
  readonly hour: number;
  readonly minute: number;
}

/** Parses `HH:MM` (24-hour, UTC); anything else throws an `Error` naming the expected form. */
export function parseDailyTime(text: string): DailyTime {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (match === null) throw new Error(`expected HH:MM (UTC, 00:00 to 23:59), got '${text}'`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The first occurrence of `time` (UTC) strictly after `after`. */
export function nextDailyRun(after: Date, time: DailyTime): Date {
  const today = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate(), time.hour, time.minute);
  return new Date(today > after.getTime() ? today : today + 24 * 60 * 60 * 1000);
}

/**
 * The daily trigger as a watcher polls it: `due(now)` is true once when `now` reaches the next
 * occurrence after the watch started (or after the last firing), then not again until the next
 * day's. Starting after today's time waits for tomorrow's, like a cron schedule; a clock that
 * jumps over several days fires once.
 */
export function createDailyTrigger(time: DailyTime, startedAt: Date): { due(now: Date): boolean; readonly next: Date } {
  let next = nextDailyRun(startedAt, time);
  return {
    due(now: Date): boolean {
      if (now.getTime() < next.getTime()) return false;
      next = nextDailyRun(now, time);
      return true;
    },
    get next() {
      return next;
    },
  };
}

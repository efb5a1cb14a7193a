import { createDailyTrigger, nextDailyRun, parseDailyTime } from './schedule';

const at = (iso: string) => new Date(iso);

describe('parseDailyTime', () => {
  it('reads HH:MM as UTC hour and minute', () => {
    expect(parseDailyTime('02:00')).toEqual({ hour: 2, minute: 0 });
    expect(parseDailyTime('23:59')).toEqual({ hour: 23, minute: 59 });
  });

  it.each(['2:00', '24:00', '12:60', '12:00:00', '', 'noon'])('rejects %p', (text) => {
    expect(() => parseDailyTime(text)).toThrow('expected HH:MM');
  });
});

describe('nextDailyRun', () => {
  const twoAm = { hour: 2, minute: 0 };

  it('is later the same day when the time has not come yet', () => {
    expect(nextDailyRun(at('2024-03-10T01:59:59.999Z'), twoAm)).toEqual(at('2024-03-10T02:00:00Z'));
  });

  it('is the next day at or after the time, across month and year ends', () => {
    expect(nextDailyRun(at('2024-03-10T02:00:00Z'), twoAm)).toEqual(at('2024-03-11T02:00:00Z'));
    expect(nextDailyRun(at('2024-02-29T13:00:00Z'), twoAm)).toEqual(at('2024-03-01T02:00:00Z'));
    expect(nextDailyRun(at('2024-12-31T23:00:00Z'), { hour: 0, minute: 30 })).toEqual(at('2025-01-01T00:30:00Z'));
  });
});

describe('the daily trigger with a fake clock', () => {
  it('fires once when the time is reached, then not again until the next day', () => {
    const trigger = createDailyTrigger({ hour: 2, minute: 0 }, at('2024-03-10T01:00:00Z'));

    expect(trigger.due(at('2024-03-10T01:59:58Z'))).toBe(false);
    expect(trigger.due(at('2024-03-10T02:00:01Z'))).toBe(true);
    expect(trigger.due(at('2024-03-10T02:00:03Z'))).toBe(false);
    expect(trigger.due(at('2024-03-11T01:59:59Z'))).toBe(false);
    expect(trigger.due(at('2024-03-11T02:00:00Z'))).toBe(true);
    expect(trigger.next).toEqual(at('2024-03-12T02:00:00Z'));
  });

  it("waits for tomorrow when started after today's time, and fires once after a jump of several days", () => {
    const trigger = createDailyTrigger({ hour: 2, minute: 0 }, at('2024-03-10T09:00:00Z'));

    expect(trigger.due(at('2024-03-10T23:59:59Z'))).toBe(false);
    expect(trigger.due(at('2024-03-14T12:00:00Z'))).toBe(true);
    expect(trigger.due(at('2024-03-14T12:00:02Z'))).toBe(false);
    expect(trigger.next).toEqual(at('2024-03-15T02:00:00Z'));
  });
});

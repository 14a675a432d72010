import { describe, expect, it } from 'vitest';
import { lastFiring, parseSchedule, type Schedule } from '../../../src/sandbox/autoscaling/schedule.js';

const at = (iso: string): number => Date.parse(iso);
const parsed = (text: string): Schedule => {
  const schedule = parseSchedule(text);
  if (typeof schedule === 'string') throw new Error(schedule);
  return schedule;
};

describe('scheduled action expressions', () => {
  it('fires at() once, in the given time zone', () => {
    const schedule = parsed('at(2026-01-01T09:00:00)');
    expect(lastFiring(schedule, at('2026-01-01T08:59:00Z'), at('2026-01-01T09:01:00Z'), 0)).toBe(at('2026-01-01T09:00:00Z'));
    expect(lastFiring(schedule, at('2026-01-01T09:00:00Z'), at('2026-01-01T10:00:00Z'), 0)).toBeUndefined();
    expect(lastFiring(schedule, at('2026-01-01T07:00:00Z'), at('2026-01-01T08:30:00Z'), 0, 'Europe/Berlin')).toBe(at('2026-01-01T08:00:00Z'));
  });

  it('fires rate() every period from its anchor', () => {
    const schedule = parsed('rate(5 minutes)');
    const anchor = at('2026-01-01T00:00:00Z');
    expect(lastFiring(schedule, anchor, anchor + 4 * 60_000, anchor)).toBeUndefined();
    expect(lastFiring(schedule, anchor, anchor + 11 * 60_000, anchor)).toBe(anchor + 10 * 60_000);
  });

  it('fires cron() on matching minutes, with names, ranges and steps', () => {
    const weekdays = parsed('cron(0 22 ? * MON-FRI *)');
    // 2026-01-02 is a Friday, 2026-01-03 a Saturday.
    expect(lastFiring(weekdays, at('2026-01-02T21:00:00Z'), at('2026-01-02T23:00:00Z'), 0)).toBe(at('2026-01-02T22:00:00Z'));
    expect(lastFiring(weekdays, at('2026-01-03T21:00:00Z'), at('2026-01-03T23:00:00Z'), 0)).toBeUndefined();
    const quarter = parsed('cron(*/15 * * * ? *)');
    expect(lastFiring(quarter, at('2026-01-01T00:01:00Z'), at('2026-01-01T00:40:00Z'), 0)).toBe(at('2026-01-01T00:30:00Z'));
  });

  it.each(['every(5 minutes)', 'rate(0 minutes)', 'cron(0 22 * *)', 'cron(61 * * * ? *)', 'at(2026-01-01)'])('rejects %s with a message', (text) => {
    expect(typeof parseSchedule(text)).toBe('string');
  });
});

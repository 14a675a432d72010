/**
 * Application Auto Scaling schedule expressions: `at(yyyy-mm-ddThh:mm:ss)`, `rate(N unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC or an IANA time zone.
 */
export type Schedule =
  | { kind: 'at'; localTime: string }
  | { kind: 'rate'; everyMs: number }
  | { kind: 'cron'; fields: CronField[] };

type CronField = (value: number) => boolean;

const RATE_UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const CRON_RANGES: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [1, 7],
  [1970, 2199],
];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Parses a schedule, or returns a message saying what is wrong with it. */
export function parseSchedule(expression: string): Schedule | string {
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (at) return { kind: 'at', localTime: at[1]! };
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    if (amount < 1) return `rate must be at least 1: ${expression}`;
    return { kind: 'rate', everyMs: amount * RATE_UNITS[rate[2]!]! };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (cron) {
    const parts = cron[1]!.trim().split(/\s+/);
    if (parts.length !== 6) return `cron needs 6 fields (minutes hours day-of-month month day-of-week year): ${expression}`;
    const fields: CronField[] = [];
    for (let i = 0; i < 6; i++) {
      const field = parseCronField(parts[i]!, CRON_RANGES[i]![0], CRON_RANGES[i]![1], i === 3 ? MONTHS : i === 4 ? DAYS : undefined);
      if (typeof field === 'string') return `${field} in ${expression}`;
      fields.push(field);
    }
    return { kind: 'cron', fields };
  }
  return `Schedule must be at(...), rate(...) or cron(...), got '${expression}'`;
}

function parseCronField(text: string, min: number, max: number, names: string[] | undefined): CronField | string {
  if (text === '*' || text === '?') return () => true;
  const allowed = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const value = (token: string): number => {
      const named = names?.indexOf(token.toUpperCase()) ?? -1;
      // JAN and SUN are 1, as in AWS cron.
      return named >= 0 ? named + 1 : Number(token);
    };
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range!.includes('-')) [from, to] = range!.split('-').map(value) as [number, number];
    else [from, to] = [value(range!), stepText === undefined ? value(range!) : max];
    if (![from, to, step].every(Number.isInteger) || from < min || to > max || from > to || step < 1) return `cron field '${text}' is not valid`;
    for (let v = from; v <= to; v += step) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

interface LocalParts {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
  year: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: DAYS.indexOf(String(parts.weekday).toUpperCase()) + 1,
    year: Number(parts.year),
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    localParts(0, timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms of a wall-clock time in a time zone (the zone's offset at that instant). */
function zonedTimeToUtc(localTime: string, timeZone: string): number {
  const asUtc = Date.parse(`${localTime}Z`);
  const parts = localParts(asUtc, timeZone);
  const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return asUtc - (shown - Math.floor(asUtc / 60_000) * 60_000);
}

/** Longest stretch of minutes one evaluation scans for cron matches, so a huge clock jump stays cheap. */
const MAX_SCAN_MINUTES = 7 * 24 * 60;

/**
 * The latest time in (after, upTo] the schedule fires, if any. `anchor` is when a rate schedule started
 * (its StartTime or creation time).
 */
export function lastFiring(schedule: Schedule, after: number, upTo: number, anchor: number, timeZone = 'UTC'): number | undefined {
  if (upTo <= after) return undefined;
  switch (schedule.kind) {
    case 'at': {
      const at = zonedTimeToUtc(schedule.localTime, timeZone);
      return at > after && at <= upTo ? at : undefined;
    }
    case 'rate': {
      const latest = anchor + Math.floor((upTo - anchor) / schedule.everyMs) * schedule.everyMs;
      return latest > after && latest > anchor ? latest : undefined;
    }
    case 'cron': {
      const firstMinute = Math.max(Math.floor(after / 60_000) + 1, Math.floor(upTo / 60_000) - MAX_SCAN_MINUTES);
      for (let minute = Math.floor(upTo / 60_000); minute >= firstMinute; minute--) {
        const p = localParts(minute * 60_000, timeZone);
        const values = [p.minute, p.hour, p.day, p.month, p.weekday, p.year];
        if (schedule.fields.every((matches, i) => matches(values[i]!))) return minute * 60_000;
      }
      return undefined;
    }
  }
}

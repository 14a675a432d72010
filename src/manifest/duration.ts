import { DURATION_PATTERN } from './schema.js';
import type { Duration } from './schema.js';

const UNIT_SECONDS = { h: 3600, m: 60, s: 1 } as const;

/**
 * Seconds in a manifest duration: whole seconds as a number, or "30s", "5m", "1h", "1h30m".
 * Throws on anything else (the schema rejects those before this is called on a loaded manifest).
 */
export function parseDuration(duration: Duration): number {
  if (typeof duration === 'number') {
    if (!Number.isInteger(duration) || duration < 0) throw new Error(`invalid duration ${duration}: expected whole seconds >= 0`);
    return duration;
  }
  if (!DURATION_PATTERN.test(duration)) {
    throw new Error(`invalid duration "${duration}": expected a number of seconds or a string like "30s", "5m", "1h", "1h30m"`);
  }
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)([hms])/g)) {
    seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  return seconds;
}

import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../manifest/index.js';

/** A positive duration in milliseconds: "5m", "30s", "1h30m" or whole seconds. */
export function parseDurationMs(value: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  } catch {
    throw new InvalidArgumentError(`expected a duration such as 30s, 5m or 1h30m, got "${value}"`);
  }
  if (seconds <= 0) throw new InvalidArgumentError(`expected a duration longer than 0, got "${value}"`);
  return seconds * 1000;
}

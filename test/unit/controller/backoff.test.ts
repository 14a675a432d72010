import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../../src/controller/backoff.js';

describe('backoffDelayMs', () => {
  const noJitter = () => 0;

  it.each([
    [0, 100],
    [1, 200],
    [5, 3_200],
    [11, 204_800],
    [12, 300_000],
    [2_000, 300_000],
  ])('after %i failures waits %i ms without jitter (100 ms doubling, 5 min cap)', (failures, expected) => {
    expect(backoffDelayMs(failures, DEFAULT_BACKOFF, noJitter)).toBe(expected);
  });

  it('jitters downwards only, so the cap is never exceeded', () => {
    expect(backoffDelayMs(20, DEFAULT_BACKOFF, () => 0.999_999)).toBeGreaterThan(150_000);
    expect(backoffDelayMs(20, DEFAULT_BACKOFF, () => 0.999_999)).toBeLessThanOrEqual(300_000);
    expect(backoffDelayMs(0, { ...DEFAULT_BACKOFF, jitter: 0.2 }, () => 0.5)).toBe(90);
  });
});

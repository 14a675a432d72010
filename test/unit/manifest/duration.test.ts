import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/manifest/index.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2m15s', 135],
    ['0s', 0],
    [45, 45],
  ] as const)('%s is %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['', '5', '5 m', '1d', 'm5', '1m1h', '-5s'])('rejects "%s" with a clear message', (input) => {
    expect(() => parseDuration(input)).toThrow(/invalid duration/);
  });

  it('rejects negative and fractional seconds', () => {
    expect(() => parseDuration(-1)).toThrow(/whole seconds/);
    expect(() => parseDuration(1.5)).toThrow(/whole seconds/);
  });
});

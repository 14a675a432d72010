import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../../bench/lib/stats.js';

describe('percentile (nearest rank)', () => {
  it.each([
    { samples: [5], p: 50, expected: 5 },
    { samples: [3, 1, 2], p: 50, expected: 2 },
    { samples: [1, 2, 3, 4], p: 50, expected: 2 },
    { samples: [1, 2, 3, 4], p: 100, expected: 4 },
    { samples: [1, 2, 3, 4], p: 0, expected: 1 },
  ])('p$p of $samples is $expected', ({ samples, p, expected }) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('takes the largest of 30 samples as p99, never an interpolated value', () => {
    const samples = Array.from({ length: 30 }, (_, i) => (i + 1) * 10);
    expect(percentile(samples, 99)).toBe(300);
    expect(percentile(samples, 50)).toBe(150);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('rejects no samples and percentiles outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
  });
});

describe('summarize', () => {
  it('gives count, min, p50, p99 and max', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ count: 4, min: 1, p50: 2, p99: 4, max: 4 });
  });
});

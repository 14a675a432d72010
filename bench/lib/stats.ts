/** Nearest-rank percentile (p in 0..100) of unsorted samples; the same rule for p50 and p99, so small trials never interpolate a value nobody measured. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { count: samples.length, min: Math.min(...samples), p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
}


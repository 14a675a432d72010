/** One minute of one metric: CloudWatch's statistic set. */
export interface Bucket {
  sum: number;
  sampleCount: number;
  min: number;
  max: number;
}

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: readonly Dimension[];
}

export interface Series extends MetricId {
  unit: string;
  /** Minute index (epoch ms / 60 000) -> statistics. */
  buckets: Map<number, Bucket>;
  /** The minute last written, which the next write almost always hits. */
  last: { minute: number; bucket: Bucket } | undefined;
}

export const MINUTE_MS = 60_000;

/** CloudWatch matches a metric by namespace, name and the exact set of dimensions, in any order. */
export function seriesKey(id: MetricId): string {
  const dims = [...id.dimensions].sort((a, b) => a.Name.localeCompare(b.Name)).map((d) => `${d.Name}=${d.Value}`);
  return `${id.namespace}|${id.metricName}|${dims.join(',')}`;
}

/** Per-minute metric storage with a retention window, indexed by series key. */
export class MetricStore {
  private readonly series = new Map<string, Series>();

  constructor(public retentionMinutes: number) {}

  get(id: MetricId): Series | undefined {
    return this.series.get(seriesKey(id));
  }

  all(): IterableIterator<Series> {
    return this.series.values();
  }

  /** The series of a metric, created on first use; callers keep it to record without key lookups. */
  open(id: MetricId, unit: string): Series {
    const key = seriesKey(id);
    let series = this.series.get(key);
    if (!series) {
      series = { namespace: id.namespace, metricName: id.metricName, dimensions: [...id.dimensions], unit, buckets: new Map(), last: undefined };
      this.series.set(key, series);
    }
    return series;
  }

  /** Adds `sum` over `sampleCount` samples (values between min and max) to the minute containing `at`. */
  add(series: Series, at: number, sum: number, sampleCount: number, min: number, max: number): void {
    if (sampleCount <= 0) return;
    const minute = Math.floor(at / MINUTE_MS);
    const bucket = series.last?.minute === minute ? series.last.bucket : series.buckets.get(minute);
    if (!bucket) {
      const created = { sum, sampleCount, min, max };
      series.buckets.set(minute, created);
      series.last = { minute, bucket: created };
      return;
    }
    bucket.sum += sum;
    bucket.sampleCount += sampleCount;
    bucket.min = Math.min(bucket.min, min);
    bucket.max = Math.max(bucket.max, max);
  }

  /** Drops minutes older than the retention window. */
  prune(now: number): void {
    const oldest = Math.floor(now / MINUTE_MS) - this.retentionMinutes;
    for (const series of this.series.values()) {
      for (const minute of series.buckets.keys()) {
        if (minute >= oldest) break;
        series.buckets.delete(minute);
        if (series.last?.minute === minute) series.last = undefined;
      }
    }
  }
}

/** The statistics of one period, merged from its minutes; undefined when no minute has data. */
export function aggregate(series: Series | undefined, startMs: number, periodMs: number): Bucket | undefined {
  if (!series) return undefined;
  let merged: Bucket | undefined;
  const first = Math.floor(startMs / MINUTE_MS);
  const minutes = Math.max(1, Math.round(periodMs / MINUTE_MS));
  for (let minute = first; minute < first + minutes; minute++) {
    const bucket = series.buckets.get(minute);
    if (!bucket) continue;
    merged = merged
      ? { sum: merged.sum + bucket.sum, sampleCount: merged.sampleCount + bucket.sampleCount, min: Math.min(merged.min, bucket.min), max: Math.max(merged.max, bucket.max) }
      : { ...bucket };
  }
  return merged;
}

/**
 * One statistic of a bucket. The sandbox keeps no per-request distribution, so a percentile is approximated:
 * above p50 by the maximum, otherwise by the average.
 */
export function statistic(bucket: Bucket, stat: string): number | undefined {
  switch (stat) {
    case 'Sum':
      return bucket.sum;
    case 'SampleCount':
      return bucket.sampleCount;
    case 'Average':
      return bucket.sampleCount === 0 ? undefined : bucket.sum / bucket.sampleCount;
    case 'Minimum':
      return bucket.min;
    case 'Maximum':
      return bucket.max;
  }
  const percentile = /^p(\d{1,2}(\.\d+)?|100)$/.exec(stat);
  if (percentile) return Number(percentile[1]) > 50 ? bucket.max : bucket.sampleCount === 0 ? undefined : bucket.sum / bucket.sampleCount;
  return undefined;
}

export function isKnownStatistic(stat: string): boolean {
  return ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'].includes(stat) || /^p(\d{1,2}(\.\d+)?|100)$/.test(stat);
}

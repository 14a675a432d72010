/**
 * AWS's rate limits as the bench applies them, on both sides: the sandbox's token buckets (what AWS enforces) and
 * the controller's client-side limiter (DEFAULT_RATE_LIMITS) use the same numbers. ECS's are documented (cluster
 * reads burst 50, 20/s sustained; RegisterTaskDefinition burst 20, 1/s); ELBv2's and Application Auto Scaling's are
 * the project's conservative defaults, since AWS does not publish them.
 */
import { DEFAULT_RATE_LIMITS } from '../../src/aws/index.js';
import type { BucketSettings } from '../../src/aws/index.js';

type Bucket = { burst: number; refillPerSecond: number };

function sandboxBucket(bucket: BucketSettings, scale: number): Bucket {
  return { burst: bucket.burst, refillPerSecond: bucket.ratePerSecond * scale };
}

/** The sandbox's `faults.throttle` matching the client's limits, with every refill rate multiplied by `scale`. */
export function sandboxThrottle(scale = 1): Record<string, Bucket> {
  const throttle: Record<string, Bucket> = {};
  for (const [api, limits] of Object.entries(DEFAULT_RATE_LIMITS)) {
    throttle[`${api}.*`] = sandboxBucket(limits.api, scale);
    for (const [operation, bucket] of Object.entries(limits.operations ?? {})) throttle[`${api}.${operation}`] = sandboxBucket(bucket, scale);
  }
  return throttle;
}

/** The sustained read rate of each API (calls per second) behind the resync bound. */
export function sustainedReadRate(api: string): number {
  const limits = DEFAULT_RATE_LIMITS[api as keyof typeof DEFAULT_RATE_LIMITS];
  if (!limits) throw new Error(`no rate limit known for API ${api}`);
  return limits.api.ratePerSecond;
}

/** Seconds a resync of these read calls needs at the sustained rates: APIs have separate buckets, so the slowest one bounds it. */
export function resyncBoundSeconds(calls: Record<string, number>): number {
  const perApi = new Map<string, number>();
  for (const [operation, count] of Object.entries(calls)) {
    const api = operation.slice(0, operation.indexOf('.'));
    perApi.set(api, (perApi.get(api) ?? 0) + count);
  }
  return Math.max(0, ...[...perApi].map(([api, count]) => count / sustainedReadRate(api)));
}

/** Seconds that `calls` take through a token bucket that starts full (the burst) and refills at `rate * scale`. */
export function bucketSeconds(calls: number, bucket: BucketSettings, scale = 1): number {
  return Math.max(0, calls - bucket.burst) / (bucket.ratePerSecond * scale);
}

/** Seconds the writes of a cold start need at least: each operation's bucket, and its API's, must pass them. */
export function coldStartFloorSeconds(writes: Record<string, number>, scale = 1): number {
  const perApi = new Map<keyof typeof DEFAULT_RATE_LIMITS, number>();
  let worst = 0;
  for (const [operation, count] of Object.entries(writes)) {
    const [api, name] = operation.split('.') as [keyof typeof DEFAULT_RATE_LIMITS, string];
    perApi.set(api, (perApi.get(api) ?? 0) + count);
    const bucket = DEFAULT_RATE_LIMITS[api].operations?.[name];
    if (bucket) worst = Math.max(worst, bucketSeconds(count, bucket, scale));
  }
  for (const [api, count] of perApi) worst = Math.max(worst, bucketSeconds(count, DEFAULT_RATE_LIMITS[api].api, scale));
  return worst;
}

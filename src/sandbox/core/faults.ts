import { z } from 'zod';
import { AwsError, internalFailure, serviceUnavailable, throttlingError } from './errors.js';
import { seededRandom } from './random.js';

const bucketSchema = z.object({
  burst: z.number().positive(),
  refillPerSecond: z.number().nonnegative(),
});

export const faultConfigSchema = z
  .object({
    /**
     * Token buckets keyed by `service.Operation`, `service.*` or `*`. The most specific key applies; a wildcard
     * key is one bucket shared by every operation it covers, like AWS's account-wide buckets.
     */
    throttle: z.record(z.string(), bucketSchema).default({}),
    /** Extra wall-clock delay before each response, in ms: one number for all, or keyed like `throttle`. */
    latencyMs: z.union([z.number().nonnegative(), z.record(z.string(), z.number().nonnegative())]).default(0),
    /** Share of requests (0..1) answered with a 5xx before the handler runs. */
    serverErrorRate: z.number().min(0).max(1).default(0),
    /** Share of requests (0..1) answered with the service's throttling error at random, on top of the token buckets. */
    throttleRate: z.number().min(0).max(1).default(0),
    /** How long (simulated ms) a new resource stays invisible to Describe/List calls. */
    consistencyWindowMs: z.number().nonnegative().default(0),
    /** Seed of the pseudo-random generator behind `serverErrorRate` and `throttleRate`, so runs repeat exactly. */
    randomSeed: z.number().int().default(1),
  })
  .strict();

export type FaultConfig = z.output<typeof faultConfigSchema>;

interface Bucket {
  tokens: number;
  updatedAt: number;
  burst: number;
  refillPerSecond: number;
}

/** Most specific first: `ecs.DescribeServices`, then `ecs.*`, then `*`. */
export function matchingKey<T>(rules: Record<string, T>, service: string, operation: string): string | undefined {
  return [`${service}.${operation}`, `${service}.*`, '*'].find((key) => rules[key] !== undefined);
}

/** Throttling, latency, server errors and eventual consistency, all off until configured. */
export class Faults {
  private config: FaultConfig = faultConfigSchema.parse({});
  private buckets = new Map<string, Bucket>();
  private random = seededRandom(1);

  configure(input: unknown): FaultConfig {
    const parsed = faultConfigSchema.safeParse(input ?? {});
    if (!parsed.success) throw new AwsError('ValidationError', `invalid fault configuration: ${z.prettifyError(parsed.error)}`, 400);
    this.config = parsed.data;
    this.buckets.clear();
    this.random = seededRandom(parsed.data.randomSeed);
    return this.config;
  }

  current(): FaultConfig {
    return this.config;
  }

  /** Throws the service's throttling error when the operation's bucket is empty or `throttleRate` picks the call; otherwise takes one token. */
  takeToken(service: string, operation: string, now: number): void {
    if (this.config.throttleRate > 0 && this.random() < this.config.throttleRate) throw throttlingError(service);
    const key = matchingKey(this.config.throttle, service, operation);
    if (key === undefined) return;
    const rule = this.config.throttle[key]!;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rule.burst, updatedAt: now, ...rule };
      this.buckets.set(key, bucket);
    }
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + elapsedSeconds * bucket.refillPerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) throw throttlingError(service);
    bucket.tokens -= 1;
  }

  /** A random 5xx, at the configured rate: half ServiceUnavailable (503), half InternalFailure (500). */
  serverError(): AwsError | undefined {
    if (this.config.serverErrorRate === 0 || this.random() >= this.config.serverErrorRate) return undefined;
    return this.random() < 0.5 ? serviceUnavailable() : internalFailure();
  }

  latencyMs(service: string, operation: string): number {
    const latency = this.config.latencyMs;
    if (typeof latency === 'number') return latency;
    const key = matchingKey(latency, service, operation);
    return key === undefined ? 0 : latency[key]!;
  }

  /** True while a resource created at `createdAt` is still hidden from reads by eventual consistency. */
  hidesFromReads(createdAt: number, now: number): boolean {
    return now - createdAt < this.config.consistencyWindowMs;
  }
}

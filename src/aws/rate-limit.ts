/** Time as the rate limiter sees it; tests inject a manual clock so no assertion depends on wall time. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface BucketSettings {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Bucket size (the burst allowed after a quiet period). */
  burst: number;
}

/**
 * A token bucket: calls are free while tokens remain, then wait for the refill. Waiters are served in arrival
 * order because each reservation is taken synchronously before the wait.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly settings: BucketSettings,
    private readonly clock: LimiterClock = systemClock,
  ) {
    if (!(settings.ratePerSecond > 0) || !(settings.burst >= 1)) {
      throw new Error(`invalid token bucket: ratePerSecond must be > 0 and burst >= 1, got ${JSON.stringify(settings)}`);
    }
    this.tokens = settings.burst;
    this.updatedAt = clock.now();
  }

  /** Milliseconds the caller must wait for its token; the token is reserved immediately (tokens may go negative). */
  reserve(): number {
    const now = this.clock.now();
    const refill = ((now - this.updatedAt) / 1000) * this.settings.ratePerSecond;
    this.tokens = Math.min(this.settings.burst, this.tokens + refill);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.settings.ratePerSecond) * 1000;
  }

  async take(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }
}

/** A bucket per API, plus optional tighter buckets for single operations (AWS throttles some separately). */
export interface RateLimitSettings {
  api: BucketSettings;
  operations?: Record<string, BucketSettings>;
}

export class ApiRateLimiter {
  private readonly apiBucket: TokenBucket;
  private readonly operationBuckets = new Map<string, TokenBucket>();

  constructor(settings: RateLimitSettings, clock: LimiterClock = systemClock) {
    this.apiBucket = new TokenBucket(settings.api, clock);
    for (const [operation, bucket] of Object.entries(settings.operations ?? {})) {
      this.operationBuckets.set(operation, new TokenBucket(bucket, clock));
    }
  }

  async acquire(operation: string): Promise<void> {
    await this.operationBuckets.get(operation)?.take();
    await this.apiBucket.take();
  }
}

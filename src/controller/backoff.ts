/**
 * Per-key exponential backoff for failed reconciles, like client-go's ItemExponentialFailureRateLimiter,
 * with jitter so that keys failing together (an AWS outage, throttling) do not retry in lockstep.
 */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseDelayMs: number;
  /** Ceiling for the doubling delay. */
  maxDelayMs: number;
  /** Share of the delay that is randomised, 0..1: the delay lands in [(1 - jitter) * d, d]. */
  jitter: number;
}

/**
 * 100 ms doubles to the 5 min cap after 12 consecutive failures. Every reconcile costs AWS calls, so the base is
 * far above client-go's 5 ms; and 5 min (not client-go's 1000 s) keeps a broken service retried well within the
 * periodic resync. Half-jitter keeps the delay growing while spreading retries.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 5 * 60_000, jitter: 0.5 };

/** The delay before retry number `failures + 1`; `random` returns a number in [0, 1). */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponential = policy.baseDelayMs * 2 ** failures;
  const capped = Math.min(policy.maxDelayMs, exponential);
  return capped * (1 - policy.jitter * random());
}

export function validateBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { baseDelayMs, maxDelayMs, jitter } = policy;
  if (!(baseDelayMs > 0) || !Number.isFinite(baseDelayMs)) throw new RangeError(`backoff baseDelayMs must be a positive number, got ${baseDelayMs}`);
  if (!(maxDelayMs >= baseDelayMs) || !Number.isFinite(maxDelayMs)) {
    throw new RangeError(`backoff maxDelayMs must be a finite number >= baseDelayMs (${baseDelayMs}), got ${maxDelayMs}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter must be between 0 and 1, got ${jitter}`);
  return policy;
}

/** Counts consecutive failures per key and turns them into delays. */
export class ItemBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number,
  ) {}

  /** The delay for the key's next retry; counts one more failure. */
  next(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return backoffDelayMs(failures, this.policy, this.random);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

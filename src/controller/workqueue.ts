import { DEFAULT_BACKOFF, ItemBackoff, validateBackoffPolicy } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { systemTime } from './time.js';
import type { CancelTimer, TimeSource } from './time.js';

/** Work in progress, read when metrics are scraped (client-go's unfinished_work / longest_running_processor). */
export interface UnfinishedWork {
  /** Sum of the ages of all keys being processed. */
  totalSeconds: number;
  /** Age of the oldest key being processed. */
  longestSeconds: number;
}

/** What the queue reports as it works; the metrics module implements it. */
export interface WorkQueueMetrics {
  /** Keys waiting to be processed, after every change. */
  depth(keys: number): void;
  /** A key became pending (duplicates of a pending key are not counted). */
  added(): void;
  /** A key was re-queued with backoff after a failure. */
  retried(): void;
  /** Time from a key becoming pending to a worker taking it. */
  queueDuration(seconds: number): void;
  /** Time from a worker taking a key to `done`. */
  workDuration(seconds: number): void;
  /** Called once by the queue, so the metrics can read the work in progress when scraped. */
  readUnfinishedWork?(read: () => UnfinishedWork): void;
}

export interface WorkQueueOptions {
  time?: TimeSource;
  metrics?: WorkQueueMetrics;
  backoff?: Partial<BackoffPolicy>;
  /** Jitter source, a number in [0, 1); injected for deterministic tests. */
  random?: () => number;
  /** Keys this queue takes at all (leader election: the keys of the shards this replica holds); default every key. */
  accept?: (key: string) => boolean;
}

interface DelayedAdd {
  readyAt: number;
  cancel: CancelTimer;
}

type Waiter = (key: string | undefined) => void;

/**
 * A work queue with client-go's guarantees, for one key per service (`cluster/name`):
 * - de-duplicated: a key added many times before a worker takes it is processed once;
 * - stingy: a key is never processed by two workers at once; one added while processing is re-queued by `done`;
 * - fair: keys are handed out in the order they became pending;
 * - delaying (`addAfter`, the earliest deadline wins) and rate-limited (`addRateLimited`, per-key backoff).
 *
 * Unlike client-go, shutting down stops handing out keys at once, even if some are still queued: the controller is
 * level-triggered, so a queued key costs nothing to drop (the next start re-lists everything), whereas starting new
 * AWS writes after SIGTERM would.
 */
export class WorkQueue {
  /** Pending keys not being processed, in order; a Set keeps insertion order and gives O(1) pop. */
  private readonly queue = new Set<string>();
  /** Every key that needs processing: queued, or waiting for its current processing to end. */
  private readonly dirty = new Set<string>();
  /** Keys being processed, with the time a worker took them. */
  private readonly processing = new Map<string, number>();
  /** When each dirty key became pending, for the queue-duration metric. */
  private readonly pendingSince = new Map<string, number>();
  private readonly delayed = new Map<string, DelayedAdd>();
  private readonly waiters: Waiter[] = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly backoff: ItemBackoff;
  private readonly time: TimeSource;
  private readonly metrics: WorkQueueMetrics | undefined;
  private readonly accept: (key: string) => boolean;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.time = options.time ?? systemTime;
    this.metrics = options.metrics;
    const policy = validateBackoffPolicy({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.backoff = new ItemBackoff(policy, options.random ?? Math.random);
    this.accept = options.accept ?? (() => true);
    this.metrics?.readUnfinishedWork?.(() => this.unfinishedWork());
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key) || !this.accept(key)) return;
    this.dirty.add(key);
    this.pendingSince.set(key, this.time.now());
    this.metrics?.added();
    if (!this.processing.has(key)) this.enqueue(key);
  }

  /** Adds the key once `delayMs` has passed. A key already scheduled keeps the earlier of its two deadlines. */
  addAfter(key: string, delayMs: number): void {
    if (Number.isNaN(delayMs)) throw new RangeError(`addAfter(${JSON.stringify(key)}): delay must be a number of ms, got NaN`);
    if (this.shuttingDown || !this.accept(key)) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.time.now() + delayMs;
    const scheduled = this.delayed.get(key);
    if (scheduled !== undefined && scheduled.readyAt <= readyAt) return;
    scheduled?.cancel();
    const cancel = this.time.schedule(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { readyAt, cancel });
  }

  /** Re-queues a failed key after its backoff delay; each call without a `forget` doubles the delay. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retried();
    this.addAfter(key, this.backoff.next(key));
  }

  /** Resets the key's backoff, after it was processed successfully. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Consecutive failures since the last `forget`. */
  numRequeues(key: string): number {
    return this.backoff.failuresOf(key);
  }

  /**
   * The next key to process, waiting until there is one; `undefined` once the queue is shut down. The caller owns
   * the key until it calls `done(key)`.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.takeNext();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of a key; if it was added meanwhile, it is queued again. A key not being processed is ignored. */
  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration(this.secondsSince(startedAt));
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
    if (this.processing.size === 0) this.releaseDrainWaiters();
  }

  /**
   * Drops every queued or scheduled key that `accept` now refuses (a shard lease was lost). A key being processed
   * finishes, but is not queued again.
   */
  dropUnaccepted(): void {
    for (const key of [...this.dirty].filter((candidate) => !this.accept(candidate))) {
      this.dirty.delete(key);
      this.queue.delete(key);
      this.pendingSince.delete(key);
    }
    for (const [key, { cancel }] of this.delayed) {
      if (this.accept(key)) continue;
      cancel();
      this.delayed.delete(key);
    }
    this.metrics?.depth(this.queue.size);
  }

  /** Keys waiting for a worker (not those being processed or scheduled for later). */
  len(): number {
    return this.queue.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting and handing out keys, cancels scheduled adds, and wakes every waiting `get` with `undefined`. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** `shutDown`, then resolves once every key being processed is `done`. Bound it with a timeout on SIGTERM. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  unfinishedWork(): UnfinishedWork {
    const now = this.time.now();
    let totalSeconds = 0;
    let longestSeconds = 0;
    for (const startedAt of this.processing.values()) {
      const age = (now - startedAt) / 1000;
      totalSeconds += age;
      longestSeconds = Math.max(longestSeconds, age);
    }
    return { totalSeconds, longestSeconds };
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.metrics?.depth(this.queue.size);
    this.handToWaiters();
  }

  private handToWaiters(): void {
    while (this.waiters.length > 0 && this.queue.size > 0) {
      const waiter = this.waiters.shift() as Waiter;
      waiter(this.takeNext());
    }
  }

  /** Moves the oldest queued key to processing, synchronously, so no other worker can take it. */
  private takeNext(): string | undefined {
    const next = this.queue.values().next();
    if (next.done) return undefined;
    const key = next.value;
    this.queue.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, this.time.now());
    this.metrics?.depth(this.queue.size);
    const pendingSince = this.pendingSince.get(key);
    this.pendingSince.delete(key);
    if (pendingSince !== undefined) this.metrics?.queueDuration(this.secondsSince(pendingSince));
    return key;
  }

  private releaseDrainWaiters(): void {
    for (const release of this.drainWaiters.splice(0)) release();
  }

  private secondsSince(startMs: number): number {
    return Math.max(0, this.time.now() - startMs) / 1000;
  }
}

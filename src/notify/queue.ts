/**
 * The delivery queue: bounded, asynchronous, with retries and exponential backoff, on an injected clock. A
 * reconcile only ever calls `enqueue`, which returns at once and never throws: a slow or dead target costs the
 * controller a bounded amount of memory and nothing else. When the queue is full the new delivery is dropped (and
 * counted), so the deliveries already waiting keep their order.
 */
import { backoffDelayMs, validateBackoffPolicy } from '../controller/backoff.js';
import type { BackoffPolicy } from '../controller/backoff.js';
import type { CancelTimer, TimeSource } from '../controller/time.js';

/** How one delivery attempt, or a delivery, ended; the `outcome` label of the delivery metric. */
export const DELIVERY_OUTCOMES = ['delivered', 'retried', 'failed', 'dropped'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface NotificationMetrics {
  /** One delivery ended (`delivered`, `failed`, `dropped`) or one attempt failed and will be retried (`retried`). */
  delivery(target: string, outcome: DeliveryOutcome): void;
  /** Deliveries waiting, for a first attempt or a retry. */
  depth(deliveries: number): void;
}

export interface Delivery {
  /** The metric label: `<Notification name>/<webhook|slack|sns>`. */
  target: string;
  /** Sends once; rejects when the attempt failed. */
  send(signal: AbortSignal): Promise<void>;
}

export interface DeliveryQueueOptions {
  time: TimeSource;
  random: () => number;
  metrics: NotificationMetrics;
  /** Deliveries waiting (first attempt or retry) at most; more are dropped. */
  capacity: number;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Attempts in flight at once. */
  concurrency: number;
  /** One attempt is abandoned (and counts as failed) after this long. */
  attemptTimeoutMs: number;
  /** Told of each attempt that failed, and of each delivery given up. */
  onFailure?: (target: string, error: unknown, final: boolean) => void;
}

/** 1 s doubling to 1 min, 6 attempts: a target down for about two minutes loses nothing. */
export const DEFAULT_DELIVERY: Omit<DeliveryQueueOptions, 'time' | 'random' | 'metrics' | 'onFailure'> = {
  capacity: 1000,
  maxAttempts: 6,
  backoff: { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.5 },
  concurrency: 4,
  attemptTimeoutMs: 10_000,
};

interface Pending {
  delivery: Delivery;
  /** Attempts made so far. */
  attempts: number;
}

export class DeliveryQueue {
  private readonly ready: Pending[] = [];
  private readonly retryTimers = new Set<CancelTimer>();
  private waitingRetries = 0;
  private inFlight = 0;
  private readonly idle: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly options: DeliveryQueueOptions) {
    validateBackoffPolicy(options.backoff);
    for (const [name, value] of Object.entries({ capacity: options.capacity, maxAttempts: options.maxAttempts, concurrency: options.concurrency })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`delivery ${name} must be a whole number >= 1, got ${value}`);
    }
  }

  /** Deliveries waiting for a first attempt or a retry. */
  get depth(): number {
    return this.ready.length + this.waitingRetries;
  }

  /** Queues a delivery; false (and counted as dropped) when the queue is full or stopped. Never throws. */
  enqueue(delivery: Delivery): boolean {
    if (this.stopped || this.depth >= this.options.capacity) {
      this.options.metrics.delivery(delivery.target, 'dropped');
      return false;
    }
    this.ready.push({ delivery, attempts: 0 });
    this.reportDepth();
    this.pump();
    return true;
  }

  /** Resolves once nothing is waiting or in flight (tests, and a shutdown that wants to flush). */
  whenIdle(): Promise<void> {
    if (this.depth === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Takes nothing more; drops the retries still waiting (counted), lets the attempts in flight finish. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.retryTimers) cancel();
    this.retryTimers.clear();
    for (const pending of this.ready.splice(0)) this.options.metrics.delivery(pending.delivery.target, 'dropped');
    this.waitingRetries = 0;
    this.reportDepth();
    this.settleIfIdle();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.options.concurrency) {
      const next = this.ready.shift();
      if (!next) break;
      this.inFlight++;
      this.reportDepth();
      void this.attempt(next).finally(() => {
        this.inFlight--;
        this.pump();
        this.settleIfIdle();
      });
    }
  }

  private async attempt(pending: Pending): Promise<void> {
    const { delivery } = pending;
    const attempts = pending.attempts + 1;
    const abort = new AbortController();
    const cancelTimeout = this.options.time.schedule(() => abort.abort(new Error(`no answer within ${this.options.attemptTimeoutMs} ms`)), this.options.attemptTimeoutMs);
    try {
      await delivery.send(abort.signal);
      this.options.metrics.delivery(delivery.target, 'delivered');
    } catch (error) {
      const final = attempts >= this.options.maxAttempts || this.stopped;
      this.options.onFailure?.(delivery.target, error, final);
      this.options.metrics.delivery(delivery.target, final ? 'failed' : 'retried');
      if (!final) this.retryLater({ delivery, attempts });
    } finally {
      cancelTimeout();
    }
  }

  private retryLater(pending: Pending): void {
    const delayMs = backoffDelayMs(pending.attempts - 1, this.options.backoff, this.options.random);
    this.waitingRetries++;
    this.reportDepth();
    const cancel = this.options.time.schedule(() => {
      this.retryTimers.delete(cancel);
      this.waitingRetries--;
      this.ready.push(pending);
      this.pump();
    }, delayMs);
    this.retryTimers.add(cancel);
  }

  private reportDepth(): void {
    this.options.metrics.depth(this.depth);
  }

  private settleIfIdle(): void {
    if (this.depth !== 0 || this.inFlight !== 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

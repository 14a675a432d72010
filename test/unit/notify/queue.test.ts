import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../../src/notify/queue.js';
import type { DeliveryOutcome, DeliveryQueueOptions } from '../../../src/notify/queue.js';
import { FakeTime } from '../controller/fake-time.js';

/** Lets the promise callbacks of attempts that already settled run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(options: Partial<DeliveryQueueOptions> = {}) {
  const time = new FakeTime();
  const counted: string[] = [];
  const depths: number[] = [];
  const failures: { target: string; message: string; final: boolean }[] = [];
  const queue = new DeliveryQueue({
    time,
    random: () => 0, // no jitter: the delay is the full backoff
    metrics: { delivery: (target, outcome: DeliveryOutcome) => counted.push(`${target} ${outcome}`), depth: (n) => depths.push(n) },
    capacity: 3,
    maxAttempts: 3,
    backoff: { baseDelayMs: 1000, maxDelayMs: 4000, jitter: 0.5 },
    concurrency: 1,
    attemptTimeoutMs: 10_000,
    onFailure: (target, error, final) => failures.push({ target, message: (error as Error).message, final }),
    ...options,
  });
  return { time, queue, counted, depths, failures };
}

/** A target whose attempts fail until `failures` attempts were made, recording when each attempt started. */
function flaky(time: FakeTime, failures: number) {
  const attempts: number[] = [];
  return {
    attempts,
    send: async () => {
      attempts.push(time.now());
      if (attempts.length <= failures) throw new Error(`HTTP 503 (attempt ${attempts.length})`);
    },
  };
}

describe('DeliveryQueue', () => {
  it('enqueue returns at once; the delivery happens asynchronously and is counted', async () => {
    const { queue, counted } = setup();
    let sent = 0;
    expect(queue.enqueue({ target: 'n/webhook', send: async () => void sent++ })).toBe(true);
    expect(counted).toEqual([]);
    await queue.whenIdle();
    expect(sent).toBe(1);
    expect(counted).toEqual(['n/webhook delivered']);
  });

  it('retries a failing target with exponential backoff, then delivers', async () => {
    const { time, queue, counted, failures } = setup();
    const target = flaky(time, 2);
    const start = time.now();
    queue.enqueue({ target: 'n/webhook', send: target.send });
    await settle();
    expect(target.attempts).toEqual([start]);
    expect(queue.depth).toBe(1); // waiting for its retry
    time.advance(999);
    await settle();
    expect(target.attempts).toHaveLength(1);
    time.advance(1);
    await settle();
    time.advance(2000);
    await settle();
    await queue.whenIdle();
    expect(target.attempts.map((at) => at - start)).toEqual([0, 1000, 3000]);
    expect(counted).toEqual(['n/webhook retried', 'n/webhook retried', 'n/webhook delivered']);
    expect(failures.map((failure) => failure.final)).toEqual([false, false]);
  });

  it('gives up after maxAttempts and counts the delivery failed', async () => {
    const { time, queue, counted, failures } = setup();
    const target = flaky(time, 99);
    queue.enqueue({ target: 'n/slack', send: target.send });
    for (let i = 0; i < 5; i++) {
      await settle();
      time.advance(4000);
    }
    await queue.whenIdle();
    expect(target.attempts).toHaveLength(3);
    expect(counted).toEqual(['n/slack retried', 'n/slack retried', 'n/slack failed']);
    expect(failures.at(-1)).toEqual({ target: 'n/slack', message: 'HTTP 503 (attempt 3)', final: true });
    expect(time.pendingTimers()).toBe(0);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { time, queue } = setup({ maxAttempts: 5 });
    const target = flaky(time, 4);
    const start = time.now();
    queue.enqueue({ target: 'n/sns', send: target.send });
    for (let i = 0; i < 12; i++) {
      await settle();
      time.advance(1000);
    }
    await queue.whenIdle();
    // 1 s, 2 s, 4 s, then 4 s again (the cap), not 8 s.
    expect(target.attempts.map((at) => at - start)).toEqual([0, 1000, 3000, 7000, 11000]);
  });

  it('drops (and counts) what does not fit, retries waiting included, and keeps the order of what does', async () => {
    const { time, queue, counted } = setup({ capacity: 2 });
    const order: string[] = [];
    const retrying = flaky(time, 1);
    let releaseB = () => {};
    expect(queue.enqueue({ target: 'a', send: retrying.send })).toBe(true);
    await settle(); // a failed once and waits for its retry: it takes a place
    expect(queue.enqueue({ target: 'b', send: () => new Promise<void>((resolve) => (releaseB = () => (order.push('b'), resolve()))) })).toBe(true);
    expect(queue.enqueue({ target: 'c', send: async () => void order.push('c') })).toBe(true); // b is in flight: c waits
    expect(queue.depth).toBe(2);
    expect(queue.enqueue({ target: 'd', send: async () => void order.push('d') })).toBe(false);
    releaseB();
    await settle();
    time.advance(1000);
    await queue.whenIdle();
    expect(order).toEqual(['b', 'c']);
    expect(retrying.attempts).toHaveLength(2);
    expect(counted).toEqual(['a retried', 'd dropped', 'b delivered', 'c delivered', 'a delivered']);
  });

  it('abandons an attempt that gets no answer within the timeout, and retries it', async () => {
    const { time, queue, counted, failures } = setup({ attemptTimeoutMs: 5000 });
    let calls = 0;
    queue.enqueue({
      target: 'n/webhook',
      send: (signal) => {
        calls++;
        if (calls > 1) return Promise.resolve();
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      },
    });
    await settle();
    time.advance(5000);
    await settle();
    expect(failures).toEqual([{ target: 'n/webhook', message: 'no answer within 5000 ms', final: false }]);
    time.advance(1000);
    await queue.whenIdle();
    expect(counted).toEqual(['n/webhook retried', 'n/webhook delivered']);
  });

  it('runs at most `concurrency` attempts at once', async () => {
    const { queue } = setup({ concurrency: 2, capacity: 10 });
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const send = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        release.push(() => {
          running--;
          resolve();
        });
      });
    for (let i = 0; i < 5; i++) queue.enqueue({ target: 't', send });
    for (let i = 0; i < 5; i++) {
      await settle();
      release.shift()?.();
    }
    await queue.whenIdle();
    expect(most).toBe(2);
  });

  it('stop drops what waits (counted), sends nothing more, and leaves no timer behind', async () => {
    const { time, queue, counted } = setup();
    const target = flaky(time, 99);
    queue.enqueue({ target: 'a', send: target.send });
    await settle();
    queue.stop();
    expect(queue.enqueue({ target: 'b', send: async () => undefined })).toBe(false);
    time.advance(60_000);
    await queue.whenIdle();
    expect(target.attempts).toHaveLength(1);
    expect(counted).toEqual(['a retried', 'b dropped']);
    expect(time.pendingTimers()).toBe(0);
  });

  it('refuses nonsense settings', () => {
    expect(() => setup({ capacity: 0 })).toThrow(/capacity must be a whole number >= 1/);
    expect(() => setup({ backoff: { baseDelayMs: 0, maxDelayMs: 1, jitter: 0 } })).toThrow(/baseDelayMs/);
  });
});

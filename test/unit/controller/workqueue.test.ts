import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/controller/workqueue.js';
import type { UnfinishedWork, WorkQueueMetrics } from '../../../src/controller/workqueue.js';
import { FakeTime, settle } from './fake-time.js';

function newQueue(options: { random?: () => number; metrics?: WorkQueueMetrics } = {}) {
  const time = new FakeTime();
  const queue = new WorkQueue({ time, random: options.random ?? (() => 0), metrics: options.metrics });
  return { time, queue };
}

/** Takes every key that is ready now, in order. */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) keys.push((await queue.get()) as string);
  return keys;
}

describe('WorkQueue: queue, dirty and processing sets', () => {
  it('hands out keys in the order they were added, each pending key once', async () => {
    const { queue } = newQueue();
    for (const key of ['prod/b', 'prod/a', 'prod/b', 'prod/c', 'prod/a']) queue.add(key);
    expect(queue.len()).toBe(3);
    expect(await drainReady(queue)).toEqual(['prod/b', 'prod/a', 'prod/c']);
  });

  it('never hands a key to a second worker while it is processed, and re-queues it on done', async () => {
    const { queue } = newQueue();
    queue.add('prod/a');
    expect(await queue.get()).toBe('prod/a');
    queue.add('prod/a');
    queue.add('prod/a');
    expect(queue.len()).toBe(0);

    const second = queue.get();
    let handedOut: string | undefined;
    void second.then((key) => (handedOut = key));
    await settle();
    expect(handedOut).toBeUndefined();

    queue.done('prod/a');
    expect(await second).toBe('prod/a');
    queue.done('prod/a');
    expect(queue.len()).toBe(0);
  });

  it('does not re-queue a key that was not added again while processing', async () => {
    const { queue } = newQueue();
    queue.add('prod/a');
    await queue.get();
    queue.done('prod/a');
    expect(queue.len()).toBe(0);
  });

  it('wakes a waiting get when a key is added', async () => {
    const { queue } = newQueue();
    const waiting = queue.get();
    queue.add('prod/a');
    expect(await waiting).toBe('prod/a');
  });

  it('ignores done for a key that is not being processed', () => {
    const { queue } = newQueue();
    queue.add('prod/a');
    queue.done('prod/a');
    expect(queue.len()).toBe(1);
  });
});

describe('WorkQueue: shutdown', () => {
  it('wakes waiting gets with undefined, answers later gets with undefined and ignores new keys', async () => {
    const { queue } = newQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    queue.add('prod/a');
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
    expect(queue.isShuttingDown()).toBe(true);
  });

  it('stops handing out keys that are still queued', async () => {
    const { queue } = newQueue();
    queue.add('prod/a');
    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
  });

  it('cancels scheduled adds', () => {
    const { queue, time } = newQueue();
    queue.addAfter('prod/a', 1_000);
    queue.addRateLimited('prod/b');
    queue.shutDown();
    expect(time.pendingTimers()).toBe(0);
  });

  it('drains: resolves once every key being processed is done, without re-queueing them', async () => {
    const { queue } = newQueue();
    queue.add('prod/a');
    queue.add('prod/b');
    await queue.get();
    await queue.get();
    queue.add('prod/a');

    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => (drained = true));
    queue.done('prod/a');
    await settle();
    expect(drained).toBe(false);
    queue.done('prod/b');
    await draining;
    expect(queue.len()).toBe(0);
  });

  it('drains at once when nothing is being processed', async () => {
    const { queue } = newQueue();
    await expect(queue.shutDownWithDrain()).resolves.toBeUndefined();
  });
});

describe('WorkQueue: addAfter', () => {
  it('adds the key when its delay has passed, not before', () => {
    const { queue, time } = newQueue();
    queue.addAfter('prod/a', 30_000);
    time.advance(29_999);
    expect(queue.len()).toBe(0);
    time.advance(1);
    expect(queue.len()).toBe(1);
  });

  it('keeps the earlier deadline when a key is scheduled twice', () => {
    const { queue, time } = newQueue();
    queue.addAfter('prod/a', 10_000);
    queue.addAfter('prod/a', 5_000);
    queue.addAfter('prod/a', 20_000);
    time.advance(5_000);
    expect(queue.len()).toBe(1);
    expect(time.pendingTimers()).toBe(0);
  });

  it('adds at once for a zero or negative delay', () => {
    const { queue } = newQueue();
    queue.addAfter('prod/a', 0);
    queue.addAfter('prod/b', -5);
    expect(queue.len()).toBe(2);
  });

  it('rejects a NaN delay', () => {
    const { queue } = newQueue();
    expect(() => queue.addAfter('prod/a', Number.NaN)).toThrow(/NaN/);
  });

  it('lets a scheduled key be added directly meanwhile, and still adds it again at the deadline', async () => {
    const { queue, time } = newQueue();
    queue.addAfter('prod/a', 1_000);
    queue.add('prod/a');
    expect(await queue.get()).toBe('prod/a');
    queue.done('prod/a');
    time.advance(1_000);
    expect(queue.len()).toBe(1);
  });
});

describe('WorkQueue: addRateLimited', () => {
  /** Advances the fake clock one ms at a time until the key is queued; returns how long that took. */
  function msUntilQueued(queue: WorkQueue, time: FakeTime): number {
    const start = time.now();
    while (queue.len() === 0) {
      if (time.now() - start > 600_000) throw new Error('key never became ready');
      time.advance(1);
    }
    return time.now() - start;
  }

  it('doubles the delay per consecutive failure, from 100 ms, until forget', async () => {
    const { queue, time } = newQueue();
    const delays: number[] = [];
    for (let failure = 0; failure < 4; failure++) {
      queue.addRateLimited('prod/a');
      delays.push(msUntilQueued(queue, time));
      queue.done((await queue.get()) as string);
    }
    expect(delays).toEqual([100, 200, 400, 800]);
    expect(queue.numRequeues('prod/a')).toBe(4);

    queue.forget('prod/a');
    expect(queue.numRequeues('prod/a')).toBe(0);
    queue.addRateLimited('prod/a');
    expect(msUntilQueued(queue, time)).toBe(100);
  });

  it('keeps backoff per key', () => {
    const { queue } = newQueue();
    queue.addRateLimited('prod/a');
    queue.addRateLimited('prod/a');
    queue.addRateLimited('prod/b');
    expect(queue.numRequeues('prod/a')).toBe(2);
    expect(queue.numRequeues('prod/b')).toBe(1);
  });

  it('applies jitter from the injected random source', () => {
    const { queue, time } = newQueue({ random: () => 0.5 });
    queue.addRateLimited('prod/a');
    time.advance(74);
    expect(queue.len()).toBe(0);
    time.advance(1);
    expect(queue.len()).toBe(1);
  });

  it('rejects an invalid backoff policy', () => {
    expect(() => new WorkQueue({ backoff: { baseDelayMs: 0 } })).toThrow(/baseDelayMs/);
    expect(() => new WorkQueue({ backoff: { baseDelayMs: 1_000, maxDelayMs: 10 } })).toThrow(/maxDelayMs/);
    expect(() => new WorkQueue({ backoff: { jitter: 2 } })).toThrow(/jitter/);
  });
});

describe('WorkQueue: metrics hooks', () => {
  function recordingMetrics() {
    const calls = { depth: [] as number[], added: 0, retried: 0, queueDuration: [] as number[], workDuration: [] as number[] };
    let readUnfinished: (() => UnfinishedWork) | undefined;
    const metrics: WorkQueueMetrics = {
      depth: (n) => calls.depth.push(n),
      added: () => calls.added++,
      retried: () => calls.retried++,
      queueDuration: (s) => calls.queueDuration.push(s),
      workDuration: (s) => calls.workDuration.push(s),
      readUnfinishedWork: (read) => (readUnfinished = read),
    };
    return { calls, metrics, unfinished: () => readUnfinished?.() };
  }

  it('reports depth, de-duplicated adds, retries, and queue and work durations from the injected clock', async () => {
    const { calls, metrics } = recordingMetrics();
    const { queue, time } = newQueue({ metrics });
    queue.add('prod/a');
    queue.add('prod/a');
    queue.add('prod/b');
    time.advance(2_000);
    await queue.get();
    time.advance(500);
    queue.done('prod/a');
    queue.addRateLimited('prod/a');

    expect(calls.depth).toEqual([1, 2, 1]);
    expect(calls.added).toBe(2);
    expect(calls.queueDuration).toEqual([2]);
    expect(calls.workDuration).toEqual([0.5]);
    expect(calls.retried).toBe(1);
  });

  it('lets the metrics read the age of unfinished work', async () => {
    const { metrics, unfinished } = recordingMetrics();
    const { queue, time } = newQueue({ metrics });
    queue.add('prod/a');
    queue.add('prod/b');
    await queue.get();
    time.advance(3_000);
    await queue.get();
    time.advance(1_000);
    expect(unfinished()).toEqual({ totalSeconds: 5, longestSeconds: 4 });
    queue.done('prod/a');
    queue.done('prod/b');
    expect(unfinished()).toEqual({ totalSeconds: 0, longestSeconds: 0 });
  });
});

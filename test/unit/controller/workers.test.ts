import { describe, expect, it } from 'vitest';
import { runWorkers } from '../../../src/controller/workers.js';
import type { HandlerResult } from '../../../src/controller/workers.js';
import { WorkQueue } from '../../../src/controller/workqueue.js';
import { FakeTime, settle } from './fake-time.js';

/** A handler whose calls stay in flight until the test settles them. */
function controllableHandler() {
  const inFlight = new Map<string, { resolve: (r: HandlerResult | void) => void; reject: (e: unknown) => void }>();
  const calls: string[] = [];
  let maxConcurrent = 0;
  const handler = (key: string) =>
    new Promise<HandlerResult | void>((resolve, reject) => {
      if (inFlight.has(key)) throw new Error(`${key} processed twice at once`);
      calls.push(key);
      inFlight.set(key, {
        resolve: (r) => (inFlight.delete(key), resolve(r)),
        reject: (e) => (inFlight.delete(key), reject(e)),
      });
      maxConcurrent = Math.max(maxConcurrent, inFlight.size);
    });
  const settleKey = async (key: string, outcome: { result?: HandlerResult; error?: Error } = {}) => {
    const call = inFlight.get(key);
    if (call === undefined) throw new Error(`${key} is not in flight`);
    if (outcome.error) call.reject(outcome.error);
    else call.resolve(outcome.result);
    await settle();
  };
  return { handler, calls, inFlight, settleKey, maxConcurrent: () => maxConcurrent };
}

function setup() {
  const time = new FakeTime();
  const queue = new WorkQueue({ time, random: () => 0 });
  return { time, queue };
}

describe('runWorkers', () => {
  it('processes keys with at most N workers at a time', async () => {
    const { queue } = setup();
    const h = controllableHandler();
    const workers = runWorkers(queue, 2, h.handler);
    for (const key of ['prod/a', 'prod/b', 'prod/c']) queue.add(key);
    await settle();
    expect([...h.inFlight.keys()]).toEqual(['prod/a', 'prod/b']);

    await h.settleKey('prod/a');
    expect([...h.inFlight.keys()]).toEqual(['prod/b', 'prod/c']);
    await h.settleKey('prod/b');
    await h.settleKey('prod/c');
    expect(h.maxConcurrent()).toBe(2);

    queue.shutDown();
    await expect(workers).resolves.toBe('drained');
  });

  it('re-processes a key added during its processing only after it finished', async () => {
    const { queue } = setup();
    const h = controllableHandler();
    const workers = runWorkers(queue, 4, h.handler);
    queue.add('prod/a');
    await settle();
    queue.add('prod/a');
    await settle();
    expect(h.calls).toEqual(['prod/a']);

    await h.settleKey('prod/a');
    expect(h.calls).toEqual(['prod/a', 'prod/a']);
    await h.settleKey('prod/a');
    queue.shutDown();
    await workers;
  });

  it('forgets the backoff on success and honours requeueAfterMs', async () => {
    const { queue, time } = setup();
    const h = controllableHandler();
    const workers = runWorkers(queue, 1, h.handler);
    queue.add('prod/a');
    await settle();
    await h.settleKey('prod/a', { error: new Error('throttled') });
    time.advance(100);
    await settle();
    await h.settleKey('prod/a', { result: { requeueAfterMs: 30_000 } });
    expect(queue.numRequeues('prod/a')).toBe(0);

    time.advance(29_999);
    await settle();
    expect(h.inFlight.size).toBe(0);
    time.advance(1);
    await settle();
    expect(h.calls).toEqual(['prod/a', 'prod/a', 'prod/a']);
    await h.settleKey('prod/a');
    queue.shutDown();
    await workers;
  });

  it('retries a failed key with backoff and reports the error', async () => {
    const { queue, time } = setup();
    const h = controllableHandler();
    const errors: Array<[string, unknown]> = [];
    const workers = runWorkers(queue, 1, h.handler, { onError: (key, error) => errors.push([key, error]) });
    const failure = new Error('AccessDenied');
    queue.add('prod/a');
    await settle();
    await h.settleKey('prod/a', { error: failure });
    expect(errors).toEqual([['prod/a', failure]]);
    expect(queue.numRequeues('prod/a')).toBe(1);

    time.advance(99);
    await settle();
    expect(h.calls).toHaveLength(1);
    time.advance(1);
    await settle();
    expect(h.calls).toHaveLength(2);
    await h.settleKey('prod/a', { error: failure });
    expect(queue.numRequeues('prod/a')).toBe(2);
    queue.shutDown();
    await workers;
  });

  it('treats a handler that throws synchronously as a failure', async () => {
    const { queue } = setup();
    const workers = runWorkers(queue, 1, () => {
      throw new Error('bug');
    });
    queue.add('prod/a');
    await settle();
    expect(queue.numRequeues('prod/a')).toBe(1);
    queue.shutDown();
    await expect(workers).resolves.toBe('drained');
  });

  it('waits for in-flight work after shutdown', async () => {
    const { queue } = setup();
    const h = controllableHandler();
    let exit: string | undefined;
    const workers = runWorkers(queue, 2, h.handler).then((e) => (exit = e));
    queue.add('prod/a');
    await settle();
    queue.shutDown();
    await settle();
    expect(exit).toBeUndefined();
    await h.settleKey('prod/a');
    await workers;
    expect(exit).toBe('drained');
  });

  it('abandons in-flight work when the abandon signal fires', async () => {
    const { queue } = setup();
    const h = controllableHandler();
    const abandon = new AbortController();
    const workers = runWorkers(queue, 1, h.handler, { abandon: abandon.signal });
    queue.add('prod/a');
    await settle();
    queue.shutDown();
    abandon.abort();
    await expect(workers).resolves.toBe('abandoned');
    expect(h.inFlight.has('prod/a')).toBe(true);
  });

  it.each([0, 1.5, -1])('rejects %d workers', (n) => {
    expect(() => runWorkers(setup().queue, n, async () => undefined)).toThrow(/positive integer/);
  });
});

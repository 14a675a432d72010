import type { WorkQueue } from './workqueue.js';

/** What a handler may ask for after a successful pass (controller-runtime's `Result{RequeueAfter}`). */
export interface HandlerResult {
  /** Look at the key again after this long, e.g. to check a rollout step's pause. */
  requeueAfterMs?: number;
}

/** Processes one key. Throwing (or rejecting) means "failed": the key is retried with backoff. */
export type KeyHandler = (key: string) => Promise<HandlerResult | void>;

export interface RunWorkersOptions {
  /** Told about every failure, before the key is retried (for logging). */
  onError?: (key: string, error: unknown) => void;
  /** When aborted, `runWorkers` resolves at once without waiting for in-flight handlers. */
  abandon?: AbortSignal;
}

/** `drained`: the queue shut down and every worker finished; `abandoned`: gave up waiting on the `abandon` signal. */
export type WorkersExit = 'drained' | 'abandoned';

/**
 * Runs `concurrency` workers over the queue until it shuts down. On SIGTERM, shut the queue down and bound the wait:
 *
 *     const abandon = new AbortController();
 *     const workers = runWorkers(queue, 4, reconcile, { abandon: abandon.signal });
 *     process.once('SIGTERM', () => { queue.shutDown(); setTimeout(() => abandon.abort(), 25_000).unref(); });
 *     await workers;
 */
export function runWorkers(queue: WorkQueue, concurrency: number, handler: KeyHandler, options: RunWorkersOptions = {}): Promise<WorkersExit> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`worker count must be a positive integer, got ${concurrency}`);
  const workers = Array.from({ length: concurrency }, () => workLoop(queue, handler, options.onError));
  const drained = Promise.all(workers).then((): WorkersExit => 'drained');
  const { abandon } = options;
  if (abandon === undefined) return drained;
  return Promise.race([drained, whenAborted(abandon)]);
}

/** Processes one key the queue handed out: success forgets its backoff, failure retries it with backoff. */
async function processKey(queue: WorkQueue, key: string, handler: KeyHandler, onError?: RunWorkersOptions['onError']): Promise<void> {
  try {
    const result = await handler(key);
    queue.forget(key);
    if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
  } catch (error) {
    queue.addRateLimited(key);
    onError?.(key, error);
  } finally {
    queue.done(key);
  }
}

async function workLoop(queue: WorkQueue, handler: KeyHandler, onError: RunWorkersOptions['onError']): Promise<void> {
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    await processKey(queue, key, handler, onError);
  }
}

function whenAborted(signal: AbortSignal): Promise<WorkersExit> {
  if (signal.aborted) return Promise.resolve('abandoned');
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve('abandoned'), { once: true }));
}

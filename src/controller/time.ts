/** Wall-clock milliseconds since the epoch. Injected so that tests decide what time it is. */
export interface Clock {
  now(): number;
}

/** Stops a scheduled callback; calling it after the callback ran, or twice, does nothing. */
export type CancelTimer = () => void;

/** Runs a callback later. Injected so that tests fire timers by advancing a fake clock instead of sleeping. */
export interface Scheduler {
  schedule(callback: () => void, delayMs: number): CancelTimer;
}

export interface TimeSource extends Clock, Scheduler {}

/** Real time. Timers are unref'd: a pending requeue must never be what keeps the process alive. */
export const systemTime: TimeSource = {
  now: () => Date.now(),
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

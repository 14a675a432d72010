import type { CancelTimer, TimeSource } from '../../../src/controller/time.js';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** A clock that moves only when told to, firing due timers in deadline order. */
export class FakeTime implements TimeSource {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(callback: () => void, delayMs: number): CancelTimer {
    const timer: Timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, at its own deadline. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (let next = this.nextDue(end); next !== undefined; next = this.nextDue(end)) {
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.at;
      next.callback();
    }
    this.current = end;
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(end: number): Timer | undefined {
    const due = this.timers.filter((t) => t.at <= end);
    return due.sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }
}

/** Lets pending promise callbacks (handlers, worker loops) run; not a sleep: no time passes on any clock. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

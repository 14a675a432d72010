import type { SandboxClock } from '../world.js';

/** A clock that the sandbox's admin endpoint (and tests) can move forward. */
export interface AdjustableClock extends SandboxClock {
  /** Moves simulated time forward by `ms` (never backwards). */
  advance(ms: number): void;
  /** True when time moves only by `advance`, so no background timer is needed. */
  readonly manual: boolean;
  /**
   * The real moment at which the simulation reaches `simulatedMs`: what AWS's own record keepers stamp (CloudWatch
   * datapoints and alarm states are real time in AWS). Simulated lifecycles may run faster than the wall clock, but
   * a controller queries metrics by its own clock and must never need to know the sandbox's.
   */
  realTime(simulatedMs: number): number;
}

function assertForward(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only advance by a finite, non-negative number of ms, got ${ms}`);
}

/** Time stands still until advanced: every test step is deterministic. */
export class ManualClock implements AdjustableClock {
  readonly manual = true;
  private current: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    assertForward(ms);
    this.current += ms;
  }

  /** Tests drive the controller with this same clock, so simulated time is their real time. */
  realTime(simulatedMs: number): number {
    return simulatedMs;
  }
}

/**
 * Wall time multiplied by `factor` from the moment of creation, so a demo can compress minutes into seconds. The
 * speed-up is for simulated lifecycles only: `realTime` maps a simulated moment back onto the wall clock.
 */
export class ScaledClock implements AdjustableClock {
  readonly manual = false;
  private readonly wallStart: number;
  private offset = 0;

  constructor(
    private readonly factor = 1,
    private readonly startMs = Date.now(),
    private readonly wallNow: () => number = Date.now,
  ) {
    if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`time scale must be a positive number, got ${factor}`);
    this.wallStart = wallNow();
  }

  now(): number {
    return Math.floor(this.startMs + (this.wallNow() - this.wallStart) * this.factor + this.offset);
  }

  advance(ms: number): void {
    assertForward(ms);
    this.offset += ms;
  }

  /** An `advance` is a jump of simulated time only: the wall clock does not move with it. */
  realTime(simulatedMs: number): number {
    return Math.floor(this.wallStart + (simulatedMs - this.startMs - this.offset) / this.factor);
  }
}

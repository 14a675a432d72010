/**
 * Whether AWS answers the controller's reads, from the AWS client layer's per-attempt reports. Readiness turns
 * "reads have failed, with no success since, for longer than the bound" into not-ready: a controller that cannot
 * observe cannot reconcile, whatever its last judgement said. Throttling is an answer (AWS is there, and busy).
 */
import type { AwsCallEvent } from '../aws/index.js';
import { formatWindow } from '../plan/index.js';
import type { Clock } from './time.js';

export const DEFAULT_AWS_UNREACHABLE_AFTER_MS = 2 * 60_000;

export class AwsReadHealth {
  private failingSince: number | undefined;
  private lastFailure = '';

  constructor(private readonly clock: Clock) {}

  /** An AwsCallObserver: feed it every attempt; writes are ignored (a refused write says nothing about reads). */
  readonly observe = (event: Pick<AwsCallEvent, 'api' | 'operation' | 'outcome' | 'mutating'> & { errorCode?: string }): void => {
    if (event.mutating) return;
    if (event.outcome !== 'error') {
      this.failingSince = undefined;
      return;
    }
    this.failingSince ??= this.clock.now();
    this.lastFailure = `${event.api} ${event.operation}${event.errorCode ? `: ${event.errorCode}` : ''}`;
  };

  /** Why the controller is not ready, once reads have failed without a success for `afterMs`; else undefined. */
  problem(afterMs: number): string | undefined {
    if (this.failingSince === undefined) return undefined;
    const failingMs = this.clock.now() - this.failingSince;
    if (failingMs < afterMs) return undefined;
    return `AWS reads have failed for ${formatWindow(failingMs)} with no success (last: ${this.lastFailure}); the controller cannot observe, so it reconciles nothing`;
  }
}

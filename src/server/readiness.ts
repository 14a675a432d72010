/**
 * The answer of `/readyz`: ready, or why not in words an operator can act on; with leader election, also this
 * replica's role, so a ready standby is told from a ready leader.
 */
export type Readiness = ({ ready: true } | { ready: false; reason: string }) & { role?: 'leader' | 'standby' };

export interface ReadinessFacts {
  desiredStateFolderExists: boolean;
  /** A desired state was loaded at least once (files with errors keep their last good state). */
  desiredStateLoaded: boolean;
  /** Every service was reconciled at least once since start. */
  firstSyncDone: boolean;
  /** Set when AWS reads have failed, with no success, for longer than the configured bound: why. */
  awsUnreachable?: string;
}

/** The first unmet condition, in the order an operator should fix them. */
export function evaluateReadiness(facts: ReadinessFacts): Readiness {
  if (!facts.desiredStateFolderExists) return { ready: false, reason: 'desired-state folder missing' };
  if (facts.awsUnreachable !== undefined) return { ready: false, reason: facts.awsUnreachable };
  if (!facts.desiredStateLoaded) return { ready: false, reason: 'desired state not loaded yet' };
  if (!facts.firstSyncDone) return { ready: false, reason: 'first sync not done' };
  return { ready: true };
}

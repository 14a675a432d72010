import type { TargetProcess } from '../world.js';
import type { HealthCheck, Target, TargetPhase } from './model.js';

/** One health-check answer: pass, or fail with the unhealthy reason code AWS would report. */
export type CheckResult = { pass: true } | { pass: false; reason: 'Target.FailedHealthChecks' | 'Target.ResponseCodeMismatch' };

/** A process that is gone or not running refuses the connection; a running one that is not ready answers 503. */
export function checkProcess(process: TargetProcess | undefined): CheckResult {
  if (!process || !process.running) return { pass: false, reason: 'Target.FailedHealthChecks' };
  return process.passesHealthCheck ? { pass: true } : { pass: false, reason: 'Target.ResponseCodeMismatch' };
}

/** Starts (or restarts) health checking: the first check runs one interval later. */
export function startChecking(target: Target, healthCheck: HealthCheck, now: number): void {
  target.phase = healthCheck.enabled ? 'initial' : 'unavailable';
  target.checksRun = 0;
  target.streak = 0;
  target.failureReason = undefined;
  target.nextCheckAt = now + healthCheck.intervalSeconds * 1000;
}

/**
 * Runs every check that fell due up to `now`, all with the same answer (the process's state as of this tick).
 * A target leaves `initial` and changes state after the threshold count of agreeing consecutive checks.
 */
export function runDueChecks(target: Target, healthCheck: HealthCheck, now: number, answer: () => CheckResult): void {
  if (target.phase === 'draining' || target.phase === 'unused' || target.phase === 'unavailable' || now < target.nextCheckAt) return;
  const intervalMs = healthCheck.intervalSeconds * 1000;
  const due = Math.floor((now - target.nextCheckAt) / intervalMs) + 1;
  const result = answer();
  target.checksRun += due;
  target.nextCheckAt += due * intervalMs;
  if (result.pass) {
    target.streak = target.streak > 0 ? target.streak + due : due;
    if (target.streak >= healthCheck.healthyThreshold) {
      target.phase = 'healthy';
      target.failureReason = undefined;
    }
  } else {
    target.streak = target.streak < 0 ? target.streak - due : -due;
    if (-target.streak >= healthCheck.unhealthyThreshold) {
      target.phase = 'unhealthy';
      target.failureReason = result.reason;
    }
  }
}

export interface TargetHealthView {
  State: TargetPhase;
  Reason?: string;
  Description?: string;
}

const DESCRIPTIONS: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.HealthCheckDisabled': 'Health checks disabled',
};

function withReason(state: TargetPhase, reason: string, description = DESCRIPTIONS[reason]): TargetHealthView {
  return { State: state, Reason: reason, ...(description ? { Description: description } : {}) };
}

/** The TargetHealth AWS reports for a target (or for a target that is not registered at all). */
export function describeHealth(target: Target | undefined): TargetHealthView {
  if (!target) return withReason('unused', 'Target.NotRegistered');
  switch (target.phase) {
    case 'healthy':
      return { State: 'healthy' };
    case 'initial':
      return withReason('initial', target.checksRun === 0 ? 'Elb.RegistrationInProgress' : 'Elb.InitialHealthChecking');
    case 'unhealthy':
      return target.failureReason === 'Target.ResponseCodeMismatch'
        ? withReason('unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [503]')
        : withReason('unhealthy', target.failureReason ?? 'Target.FailedHealthChecks');
    case 'draining':
      return withReason('draining', 'Target.DeregistrationInProgress');
    case 'unused':
      return withReason('unused', 'Target.NotInUse');
    case 'unavailable':
      return withReason('unavailable', 'Target.HealthCheckDisabled');
  }
}

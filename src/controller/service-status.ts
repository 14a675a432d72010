/**
 * How the controller judges one service from what reconcile or resync found: its sync and health status, the
 * `reconcile_total` result, whether to retry with backoff or look again later, and the decision to log.
 */
import type { ApplyError, ServiceResult, ServiceStatus } from '../apply/index.js';
import { describeFailedRevision, failedRevisionOf } from '../hold/index.js';
import type { Hold } from '../hold/index.js';
import { BY_CONTROLLER, byGit } from '../log/events.js';
import type { Decision } from '../log/events.js';
import type { DesiredService } from '../manifest/index.js';
import type { ReconcileResult } from '../metrics/metrics.js';
import type { ObservedService } from '../observe/index.js';
import { formatPath } from '../diff/index.js';
import { REVISION_TAG } from '../plan/index.js';
import type { PlanOutcome, ServicePlan } from '../plan/index.js';
import type { HealthStatus, RolloutStrategy, SyncStatus } from './status.js';

export function strategyOf(service: DesiredService): RolloutStrategy {
  return service.manifest.spec.rollout?.strategy ?? 'Rolling';
}

/** Argo CD's health, from ECS's own view of the service's deployments (or task sets) and task counts. */
export function healthOf(observed: ObservedService | undefined): HealthStatus {
  if (observed === undefined || observed.status !== 'ACTIVE') return 'Missing';
  const primary = observed.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED') return 'Degraded';
  if (observed.nativeDeployment?.status.startsWith('ROLLBACK')) return 'Degraded';
  const settling =
    observed.deployments.length > 1 ||
    primary?.rolloutState === 'IN_PROGRESS' ||
    observed.taskSets.some((taskSet) => taskSet.stabilityStatus !== undefined && taskSet.stabilityStatus !== 'STEADY_STATE') ||
    observed.runningCount < observed.desiredCount;
  return settling ? 'Progressing' : 'Healthy';
}

const SYNC_STATUS: Record<ServiceStatus | PlanOutcome, SyncStatus> = {
  'in-sync': 'Synced',
  changed: 'Synced',
  planned: 'OutOfSync',
  changes: 'OutOfSync',
  'not-converged': 'OutOfSync',
  'requires-replacement': 'OutOfSync',
  blocked: 'OutOfSync',
  conflict: 'Conflict',
  failed: 'Error',
  invalid: 'Unknown',
};

export function syncStatusOf(status: ServiceStatus | PlanOutcome): SyncStatus {
  return SYNC_STATUS[status];
}

export interface RequeuePolicy {
  /** Look again this soon while a change settles (health Progressing), to report its health. */
  progressingMs: number;
  /** Look again this soon when the plan is blocked (a service still draining, a missing target group). */
  blockedMs: number;
}

export const DEFAULT_REQUEUE: RequeuePolicy = { progressingMs: 10_000, blockedMs: 30_000 };

/** What one reconcile of a desired service amounts to. */
export interface Verdict {
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  message?: string;
  result: ReconcileResult;
  /** Failed: the work queue retries with backoff. */
  retry: boolean;
  requeueAfterMs?: number;
  decision: Decision;
}

function describeError(error: ApplyError): string {
  return `${error.action ? `${error.action}: ` : ''}${error.code}: ${error.message}`;
}

/** The paths of the fields that differ, e.g. `desiredCount`, `taskDefinition.containerDefinitions[0].image`. */
function fieldsOf(result: ServiceResult): string[] {
  return result.changes.map((change) => formatPath(change.path));
}

/** The distinct AWS operations of the actions planned or taken, e.g. `[RegisterTaskDefinition, UpdateService]`. */
function callsOf(result: ServiceResult): string[] {
  return [...new Set(result.actions.map((action) => action.kind))];
}

/**
 * Judges one service's result. `drift`: the desired manifest is the one last applied, so a change undid drift.
 * `observed` is the service before acting (absent when it did not exist).
 */
export function judgeResult(
  result: ServiceResult,
  observed: ObservedService | undefined,
  context: { revision: string; drift: boolean; requeue: RequeuePolicy; family?: string },
): Verdict {
  const syncStatus = syncStatusOf(result.status);
  const message = result.error ? describeError(result.error) : result.messages.join('; ') || undefined;
  const base = { syncStatus, ...(message ? { message } : {}) };
  const held = result.status === 'in-sync' || result.status === 'changed' ? heldStatus(result.hold, context.family) : undefined;
  if (held) {
    const decision = { action: 'hold', outcome: 'skipped' as const, reason: held.message };
    return { ...held, result: 'success', retry: false, decision };
  }
  switch (result.status) {
    case 'in-sync': {
      const healthStatus = healthOf(observed);
      const requeue = healthStatus === 'Progressing' ? { requeueAfterMs: context.requeue.progressingMs } : {};
      return {
        ...base,
        healthStatus,
        result: healthStatus === 'Progressing' ? 'requeue' : 'success',
        retry: false,
        ...requeue,
        decision: { action: 'sync', outcome: 'skipped', reason: 'in sync' },
      };
    }
    case 'changed':
      return {
        ...base,
        // A change was just applied: ECS starts a deployment (or a new service), so look again once it settles.
        healthStatus: 'Progressing',
        result: 'requeue',
        retry: false,
        requeueAfterMs: context.requeue.progressingMs,
        decision: changeDecision(result, observed, context),
      };
    case 'conflict':
    case 'requires-replacement':
      return {
        ...base,
        healthStatus: healthOf(observed),
        result: 'conflict',
        retry: false,
        decision: { action: 'conflict', outcome: 'refused', reason: message ?? result.status, details: { calls: callsOf(result) } },
      };
    case 'blocked':
      return {
        ...base,
        healthStatus: healthOf(observed),
        result: 'requeue',
        retry: false,
        requeueAfterMs: context.requeue.blockedMs,
        decision: { action: 'blocked', outcome: 'waiting', reason: message ?? 'blocked', details: { calls: callsOf(result) } },
      };
    default:
      // failed, not-converged (and planned/invalid, which a live reconcile does not produce): retry with backoff.
      return {
        ...base,
        healthStatus: healthOf(observed),
        result: 'error',
        retry: true,
        decision: { action: 'reconcile-failed', outcome: 'failed', reason: message ?? result.status, details: { fields: fieldsOf(result), calls: callsOf(result) } },
      };
  }
}

/**
 * `create`, `update` (the fields that changed, from the revision the service was at to the desired one) or
 * `drift-corrected` (the fields that drifted, put back at the revision already applied).
 */
function changeDecision(result: ServiceResult, observed: ObservedService | undefined, context: { revision: string; drift: boolean }): Verdict['decision'] {
  const fields = fieldsOf(result);
  const calls = callsOf(result);
  if (context.drift) {
    return { action: 'drift-corrected', outcome: 'applied', reason: 'corrected drift: AWS was changed outside git', requestedBy: BY_CONTROLLER, details: { fields, calls } };
  }
  const from = observed?.tags[REVISION_TAG];
  return {
    action: observed === undefined ? 'create' : 'update',
    outcome: 'applied',
    reason: `applied revision ${context.revision}`,
    ...(from !== undefined ? { from } : {}),
    to: context.revision,
    requestedBy: byGit(context.revision),
    details: { fields, calls },
  };
}

/** A reconcile that could not run at all (AWS unreachable, access denied while observing). */
export function judgeError(error: ApplyError): Verdict {
  const message = describeError(error);
  return { syncStatus: 'Error', healthStatus: 'Unknown', message, result: 'error', retry: true, decision: { action: 'reconcile-failed', outcome: 'failed', reason: message } };
}

/**
 * A held revision (its failure recorded, being recorded, or its record unreadable): Degraded and OutOfSync (git
 * wants a revision that AWS does not run), with the failed revision and the reason as the message.
 */
export function heldStatus(hold: Hold | undefined, family?: string): { syncStatus: SyncStatus; healthStatus: HealthStatus; message: string } | undefined {
  const failed = hold && failedRevisionOf(hold);
  return failed && { syncStatus: 'OutOfSync', healthStatus: 'Degraded', message: describeFailedRevision(failed, family) };
}

/**
 * The hold's start or end, as its own decision (a service that stays held logs nothing new): started by the controller
 * (it saw ECS fail the revision), ended by git (a new revision) or an operator (retry).
 */
export function holdDecision(result: ServiceResult, family?: string, revision?: string): Decision | undefined {
  const hold = result.hold;
  if (hold?.state === 'started' && (result.status === 'changed' || result.status === 'not-converged')) {
    const failed = failedRevisionOf(hold);
    return {
      action: 'hold-started',
      outcome: 'applied',
      reason: failed ? describeFailedRevision(failed, family) : 'the desired revision failed',
      requestedBy: BY_CONTROLLER,
      details: { failedRevision: hold.record.hash, by: hold.record.kind, ...(hold.record.gitRevision ? { failedGitRevision: hold.record.gitRevision } : {}) },
    };
  }
  if (hold?.state === 'ended' && result.status !== 'failed') {
    const retried = hold.why === 'retry';
    return {
      action: 'hold-ended',
      outcome: 'applied',
      reason: `${retried ? 'an operator retried' : 'git changed the revision'}: the service is deployed again`,
      requestedBy: retried ? 'request:retry' : byGit(revision),
      details: { why: hold.why, ...(hold.record ? { failedRevision: hold.record.hash } : {}) },
    };
  }
  return undefined;
}

/** The status a resync's plan implies for a service it does not queue. */
export function statusFromPlan(plan: ServicePlan, observed: ObservedService | undefined, family?: string): { syncStatus: SyncStatus; healthStatus: HealthStatus; message?: string } {
  const held = plan.actions.length === 0 ? heldStatus(plan.hold, family) : undefined;
  if (held) return held;
  const message = plan.messages.join('; ');
  return { syncStatus: syncStatusOf(plan.outcome === 'changes' && plan.actions.length === 0 ? 'in-sync' : plan.outcome), healthStatus: healthOf(observed), ...(message ? { message } : {}) };
}

/**
 * The periodic resync's decisions, as pure functions of the desired state and ONE batched observation of every
 * cluster the manifests name: which services differ (only those are queued, so an in-sync service costs no
 * further call) and which managed services prune may delete.
 */
import type { DesiredService, ServiceKey } from '../manifest/index.js';
import { managedServices } from '../observe/index.js';
import type { ObservedService, ObservedState } from '../observe/index.js';
import { planPrune, planService, usesTaskSets } from '../plan/index.js';
import type { PlanOptions, PrunePlan, ServicePlan } from '../plan/index.js';

export interface ResyncSelection {
  /** Services whose plan has actions to apply, or whose rollout has work left: they go to the work queue. */
  outOfSync: ServiceKey[];
  /** Every service's plan, for the status of those not queued (in sync, conflict, blocked...). */
  plans: Map<ServiceKey, ServicePlan>;
  /** Services that could not be planned, with why: queued too, so the reconcile reports the error. */
  failed: Map<ServiceKey, string>;
}

/** A plan the applier has work for (`changes` with actions; deferred rollout work alone is not). */
export function needsApply(plan: ServicePlan): boolean {
  return plan.outcome === 'changes' && plan.actions.length > 0;
}

export function selectOutOfSync(services: Iterable<DesiredService>, state: ObservedState, planOptions: PlanOptions): ResyncSelection {
  const plans = new Map<ServiceKey, ServicePlan>();
  const failed = new Map<ServiceKey, string>();
  for (const service of services) {
    try {
      plans.set(service.key, planService(service.manifest, state, planOptions));
    } catch (error) {
      failed.set(service.key, error instanceof Error ? error.message : String(error));
    }
  }
  const outOfSync = [...services]
    .filter((service) => {
      const plan = plans.get(service.key);
      return plan !== undefined && (needsApply(plan) || rolloutPending(service, plan, state.services[service.key]));
    })
    .map((service) => service.key);
  return { outOfSync: [...outOfSync, ...failed.keys()].sort(), plans, failed };
}

/**
 * A Canary/BlueGreen service whose rollout still has work: a version not yet primary, or more than one live task
 * set. Its progress lives in AWS, not in this process's timers, so a resync (after a restart or a failover, or to
 * catch an operator's request tag) hands it back to the rollout engine.
 */
export function rolloutPending(service: DesiredService, plan: ServicePlan, observed: ObservedService | undefined): boolean {
  if (!usesTaskSets(service.manifest.spec)) return false;
  const live = observed?.taskSets.filter((taskSet) => taskSet.status !== 'DRAINING').length ?? 0;
  return plan.deferred.length > 0 || live !== 1;
}

export interface PruneDecisionInput {
  desiredKeys: readonly ServiceKey[];
  state: ObservedState;
  instance: string;
  /** Why the desired state cannot be trusted for deletions (DesiredStateStore.pruneBlocker). */
  blocker?: string;
  maxDeleteShare?: number;
}

/**
 * planPrune's guards (empty desired set, mass deletion) plus the desired state's own: an incomplete folder or a
 * file that never loaded cleanly could hide services that must stay.
 */
export function decidePrune({ desiredKeys, state, instance, blocker, maxDeleteShare }: PruneDecisionInput): PrunePlan {
  const managed = managedServices(state, instance);
  if (blocker !== undefined) {
    const desired = new Set(desiredKeys);
    const wouldDelete = managed.filter((service) => !desired.has(service.key)).map((service) => service.key).sort();
    return { outcome: 'refused', reason: `${blocker}; nothing is pruned`, deleteKeys: wouldDelete, actions: [] };
  }
  return planPrune(desiredKeys, managed, { scalableTargets: state.scalableTargets, ...(maxDeleteShare !== undefined ? { maxDeleteShare } : {}) });
}

/** The plan restricted to one service, for the worker that deletes it. */
export function prunePlanFor(plan: Extract<PrunePlan, { outcome: 'ok' }>, key: ServiceKey): Extract<PrunePlan, { outcome: 'ok' }> {
  return { ...plan, deleteKeys: plan.deleteKeys.filter((candidate) => candidate === key) };
}

/** `intervalMs` spread by +/- `share` (0.1 = 10%), so several controllers do not resync in lockstep. */
export function jitteredInterval(intervalMs: number, random: () => number, share = 0.1): number {
  return intervalMs * (1 - share + 2 * share * random());
}

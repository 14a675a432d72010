/**
 * The periodic resync's decisions, as pure functions of the desired state and ONE batched observation of every
 * cluster the manifests name: which services differ (only those are queued, so an in-sync service costs no
 * further call). Which managed services prune may delete is `planPrune`'s decision, the same as `apply --prune`'s.
 */
import type { DesiredService, ServiceKey } from '../manifest/index.js';
import type { ObservedService, ObservedState } from '../observe/index.js';
import { planService, usesTaskSets } from '../plan/index.js';
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

/** The plan restricted to one service, for the worker that deletes it. */
export function prunePlanFor(plan: Extract<PrunePlan, { outcome: 'ok' }>, key: ServiceKey): Extract<PrunePlan, { outcome: 'ok' }> {
  return { ...plan, deleteKeys: plan.deleteKeys.filter((candidate) => candidate === key) };
}

/** `intervalMs` spread by +/- `share` (0.1 = 10%), so several controllers do not resync in lockstep. */
export function jitteredInterval(intervalMs: number, random: () => number, share = 0.1): number {
  return intervalMs * (1 - share + 2 * share * random());
}

import { managedServices, scalableResourceId } from '../observe/index.js';
import type { ObservedScalableTarget, ObservedService, ObservedState, ServiceKey } from '../observe/index.js';
import {
  allowedDeletions,
  DEFAULT_PRUNE_BUDGET,
  deletionsWithin,
  formatWindow,
  parseApproval,
  parseLedger,
  PRUNE_APPROVAL_TAG,
  PRUNE_LEDGER_TAG,
  validateBudget,
} from './prune-budget.js';
import type { PruneBudget } from './prune-budget.js';
import type { PlannedAction } from './types.js';

export interface PruneInput {
  desiredKeys: readonly ServiceKey[];
  /** Every service of the clusters the desired state names, their scalable targets, and the clusters' tags. */
  state: Pick<ObservedState, 'services' | 'scalableTargets' | 'clusterTags'>;
  instance: string;
  /** Epoch ms: the end of the budget's rolling window. */
  now: number;
  budget?: Partial<PruneBudget>;
  /** `--force-prune`: past the budget (never past an empty or untrusted desired state). */
  force?: boolean;
  /** Why the desired state cannot be trusted for deletions (a broken or unreadable file could hide services). */
  blocker?: string;
}

export type PrunePlan =
  | {
      outcome: 'ok';
      deleteKeys: ServiceKey[];
      actions: PlannedAction[];
      /**
       * Per cluster, the most deletions its window may hold when each one is recorded, or null when forced or
       * approved: the recording re-checks against the ledger as it is then, so two processes cannot both spend it.
       */
      limits: Record<string, number | null>;
      /** The budget's window, which the recording counts deletions in. */
      windowMs: number;
    }
  | {
      outcome: 'refused';
      reason: string;
      deleteKeys: ServiceKey[];
      actions: [];
      /** Per cluster past its budget, how many services prune holds back (the metric behind the alert). */
      held: Record<string, number>;
    };

/** What a refusal tells the operator to do, in `apply` and the controller alike. */
export function budgetRemedy(clusters: readonly string[]): string {
  const approve = clusters.map((cluster) => `ecs-reconciler prune approve ${cluster}`).join(', ');
  return `to delete anyway, run ecs-reconciler apply --prune --force-prune, or approve with ${approve}`;
}

/**
 * THE prune policy, shared by `apply --prune` and the controller: which managed services no manifest names may be
 * deleted now (scale to 0, then delete). Refuses when the desired state cannot be trusted or names no service
 * (always, even forced), and when a cluster's deletions within the rolling window, these included, would pass its
 * budget (a share of its managed services, and a count), unless forced or approved on that cluster.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const budget = validateBudget({ ...DEFAULT_PRUNE_BUDGET, ...input.budget });
  const desired = new Set(input.desiredKeys);
  const managed = managedServices(input.state as ObservedState, input.instance);
  // A DRAINING service is already being deleted: nothing to do, and its deletion is in the ledger already.
  const live = managed.filter((service) => service.status !== 'DRAINING');
  const doomed = live.filter((service) => !desired.has(service.key)).sort((a, b) => a.key.localeCompare(b.key));
  const deleteKeys = doomed.map((service) => service.key);
  const refuse = (reason: string, held: Record<string, number> = {}): PrunePlan => ({ outcome: 'refused', reason, deleteKeys, actions: [], held });
  if (input.blocker !== undefined) return refuse(`${input.blocker}; nothing is pruned`);
  if (desired.size === 0) return refuse('the desired state names no service; refusing to prune everything');

  const limits: Record<string, number | null> = {};
  const over: { cluster: string; doomed: number; why: string }[] = [];
  for (const [cluster, inCluster] of groupByCluster(doomed)) {
    const tags = input.state.clusterTags[cluster];
    const approvedUntil = parseApproval(tags?.[PRUNE_APPROVAL_TAG]);
    if (input.force || (approvedUntil !== undefined && approvedUntil > input.now)) {
      limits[cluster] = null;
      continue;
    }
    const ledger = tags === undefined ? undefined : parseLedger(tags[PRUNE_LEDGER_TAG]);
    if (ledger === undefined) {
      const why = tags === undefined ? 'its prune ledger was not read' : `its ${PRUNE_LEDGER_TAG} tag does not parse`;
      over.push({ cluster, doomed: inCluster.length, why: `cannot tell what was deleted in cluster ${cluster} lately: ${why}` });
      continue;
    }
    const recent = deletionsWithin(ledger, input.now, budget.windowMs);
    const population = live.filter((service) => service.clusterName === cluster).length + recent;
    const allowed = allowedDeletions(budget, population);
    const total = recent + inCluster.length;
    limits[cluster] = allowed;
    if (total <= allowed) continue;
    const share = Math.round((total / population) * 100);
    over.push({
      cluster,
      doomed: inCluster.length,
      why:
        `pruning would delete ${inCluster.length} of ${population - recent} managed services in cluster ${cluster}, ` +
        `${total} of ${population} within ${formatWindow(budget.windowMs)}${recent > 0 ? ` with the ${recent} deleted there before` : ''} (${share}%); ` +
        `the budget is ${Math.round(budget.maxShare * 100)}% and at most ${budget.maxCount} per ${formatWindow(budget.windowMs)}`,
    });
  }
  if (over.length > 0) {
    const clusters = over.map((entry) => entry.cluster);
    return refuse(`${over.map((entry) => entry.why).join('; ')}; nothing is pruned (${budgetRemedy(clusters)})`, Object.fromEntries(over.map((entry) => [entry.cluster, entry.doomed])));
  }
  return { outcome: 'ok', deleteKeys, actions: doomed.flatMap((service) => pruneActions(service, input.state.scalableTargets)), limits, windowMs: budget.windowMs };
}

function groupByCluster(services: readonly ObservedService[]): Map<string, ObservedService[]> {
  const groups = new Map<string, ObservedService[]>();
  for (const service of services) groups.set(service.clusterName, [...(groups.get(service.clusterName) ?? []), service]);
  return groups;
}

function pruneActions(service: ObservedService, scalableTargets: Record<string, ObservedScalableTarget>): PlannedAction[] {
  const resourceId = scalableResourceId(service.key);
  const cluster = service.clusterArn || service.clusterName;
  const reason = 'no manifest names this managed service (prune)';
  const actions: PlannedAction[] = [];
  if (scalableTargets[resourceId]) {
    actions.push({
      kind: 'DeregisterScalableTarget',
      api: 'autoscaling',
      reason,
      resourceKey: resourceId,
      input: { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: resourceId },
    });
  }
  if (service.desiredCount > 0) {
    actions.push({ kind: 'UpdateService', api: 'ecs', reason, resourceKey: service.key, input: { cluster, service: service.serviceName, desiredCount: 0 } });
  }
  // An EXTERNAL service still has task sets; force deletes them with the service.
  actions.push({
    kind: 'DeleteService',
    api: 'ecs',
    reason,
    resourceKey: service.key,
    input: { cluster, service: service.serviceName, ...(service.deploymentControllerType === 'EXTERNAL' ? { force: true } : {}) },
  });
  return actions;
}

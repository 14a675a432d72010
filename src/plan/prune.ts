import { scalableResourceId } from '../observe/index.js';
import type { ObservedScalableTarget, ObservedService, ServiceKey } from '../observe/index.js';
import type { PlannedAction } from './types.js';

export const DEFAULT_MAX_DELETE_SHARE = 0.3;

export interface PruneOptions {
  /** Largest share (0..1) of the managed services one pass may delete without `force`. Default 0.3. */
  maxDeleteShare?: number;
  force?: boolean;
  /** Scalable targets by resource id: an autoscaled service is deregistered first, or it would scale back up. */
  scalableTargets?: Record<string, ObservedScalableTarget>;
}

export type PrunePlan =
  | { outcome: 'ok'; deleteKeys: ServiceKey[]; actions: PlannedAction[] }
  | { outcome: 'refused'; reason: string; deleteKeys: ServiceKey[]; actions: [] };

/**
 * Deletes managed services that no manifest names any more: scale to 0, then delete. Refuses outright when the
 * desired set is empty (an empty or unreadable folder must never delete everything), and refuses when more than
 * `maxDeleteShare` of the managed services would go, unless forced.
 */
export function planPrune(desiredKeys: readonly ServiceKey[], observedManaged: readonly ObservedService[], options: PruneOptions = {}): PrunePlan {
  const maxShare = options.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE;
  if (!(maxShare >= 0 && maxShare <= 1)) throw new Error(`maxDeleteShare must be between 0 and 1, got ${String(options.maxDeleteShare)}`);
  const desired = new Set(desiredKeys);
  // A DRAINING service is already being deleted: nothing to do, and it does not count towards the share.
  const live = observedManaged.filter((service) => service.status !== 'DRAINING');
  const doomed = live.filter((service) => !desired.has(service.key)).sort((a, b) => a.key.localeCompare(b.key));
  const deleteKeys = doomed.map((service) => service.key);
  if (desired.size === 0) {
    return { outcome: 'refused', reason: 'the desired state names no service; refusing to prune everything', deleteKeys, actions: [] };
  }
  const share = live.length === 0 ? 0 : doomed.length / live.length;
  if (share > maxShare && !options.force) {
    return {
      outcome: 'refused',
      reason: `pruning would delete ${doomed.length} of ${live.length} managed services (${Math.round(share * 100)}% > ${Math.round(maxShare * 100)}%); to confirm, run \`ecs-reconciler apply --prune --force-prune\``,
      deleteKeys,
      actions: [],
    };
  }
  return { outcome: 'ok', deleteKeys, actions: doomed.flatMap((service) => pruneActions(service, options.scalableTargets ?? {})) };
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

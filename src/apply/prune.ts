import type { AwsClients } from '../aws/index.js';
import { parseServiceKey, scalableResourceId } from '../observe/index.js';
import type { PlannedAction, PrunePlan } from '../plan/index.js';
import { executeActions, plannedActions, toApplyError } from './execute.js';
import type { ActionResult, ApplyError } from './execute.js';
import type { PruneLedgerWriter } from './prune-ledger.js';

export interface PrunedService {
  key: string;
  /** `planned` in a dry run. */
  status: 'planned' | 'deleted' | 'failed';
  actions: ActionResult[];
  error?: ApplyError;
}

export type PruneResult =
  | { outcome: 'refused'; reason: string; wouldDelete: string[] }
  | { outcome: 'ok'; services: PrunedService[] };

/** The plan's actions for one doomed service: its scalable target, then its service (scale to 0, delete). */
function actionsOf(plan: PrunePlan, key: string): PlannedAction[] {
  const resourceId = scalableResourceId(key);
  return plan.actions.filter((action) => action.resourceKey === key || action.resourceKey === resourceId);
}

export type PruneExecution = { dryRun: true } | { dryRun: false; ledger: PruneLedgerWriter };

/**
 * Deletes each doomed service on its own, so one failure never keeps the others, after recording the deletion in
 * its cluster's ledger (a deletion that cannot be recorded, or that the budget no longer allows, does not happen).
 * A refused plan does nothing.
 */
export async function executePrune(clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>, plan: PrunePlan, options: PruneExecution): Promise<PruneResult> {
  if (plan.outcome === 'refused') return { outcome: 'refused', reason: plan.reason, wouldDelete: plan.deleteKeys };
  const services: PrunedService[] = [];
  for (const key of plan.deleteKeys) {
    const actions = actionsOf(plan, key);
    if (options.dryRun) {
      services.push({ key, status: 'planned', actions: plannedActions(actions) });
      continue;
    }
    const { cluster } = parseServiceKey(key);
    // A cluster the plan set no limit for gets none of the budget (null, no limit, is only ever set explicitly).
    const limit = plan.limits[cluster];
    try {
      await options.ledger.record(cluster, limit === undefined ? 0 : limit, plan.windowMs);
    } catch (error) {
      services.push({ key, status: 'failed', actions: plannedActions(actions).map((action) => ({ ...action, status: 'skipped' })), error: toApplyError(error) });
      continue;
    }
    const execution = await executeActions(clients, actions);
    services.push(execution.error ? { key, status: 'failed', actions: execution.actions, error: execution.error } : { key, status: 'deleted', actions: execution.actions });
  }
  return { outcome: 'ok', services };
}

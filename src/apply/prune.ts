import type { AwsClients } from '../aws/index.js';
import { scalableResourceId } from '../observe/index.js';
import type { PlannedAction, PrunePlan } from '../plan/index.js';
import { executeActions, plannedActions } from './execute.js';
import type { ActionResult, ApplyError } from './execute.js';

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

/** Deletes each doomed service on its own, so one failure never keeps the others. A refused plan does nothing. */
export async function executePrune(clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>, plan: PrunePlan, options: { dryRun: boolean }): Promise<PruneResult> {
  if (plan.outcome === 'refused') return { outcome: 'refused', reason: plan.reason, wouldDelete: plan.deleteKeys };
  const services: PrunedService[] = [];
  for (const key of plan.deleteKeys) {
    const actions = actionsOf(plan, key);
    if (options.dryRun) {
      services.push({ key, status: 'planned', actions: plannedActions(actions) });
      continue;
    }
    const execution = await executeActions(clients, actions);
    services.push(execution.error ? { key, status: 'failed', actions: execution.actions, error: execution.error } : { key, status: 'deleted', actions: execution.actions });
  }
  return { outcome: 'ok', services };
}

/**
 * Sends a rollout's actions in order, one call each, and stops at the first failure: the crash-safety argument of
 * the state machine (docs/rollouts.md section 6) relies on a later action never running when an earlier one failed.
 */
import {
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
} from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { toApplyError } from '../../apply/index.js';
import type { ApplyError } from '../../apply/index.js';
import type { RolloutAction, StartAnalysisInput } from '../types.js';

/** `planned`: not sent (dry run); `noop`: nothing to send (an analysis run that already exists or is decided). */
export type RolloutActionStatus = 'planned' | 'ok' | 'noop' | 'failed' | 'skipped';

export interface RolloutActionResult {
  kind: RolloutAction['kind'] | 'RegisterTaskDefinition';
  reason: string;
  status: RolloutActionStatus;
}

/** The I/O an action needs beyond its own input. */
export interface ActionHooks {
  /** The ARN for a CreateTaskSet that refers to the registered task definition (registering it if needed). */
  taskDefinitionArn(): Promise<string>;
  /** Creates the run unless one with that id exists; false when there was nothing to do. */
  startAnalysis(input: StartAnalysisInput): Promise<boolean>;
  /** Terminates a running run; false when there was nothing to do. */
  stopAnalysis(runId: string): Promise<boolean>;
}

export interface RolloutClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
}

/** Sends one action; false when it needed no call. */
export async function sendRolloutAction(clients: RolloutClients, action: RolloutAction, hooks: ActionHooks): Promise<boolean> {
  switch (action.kind) {
    case 'CreateTaskSet': {
      const taskDefinition = typeof action.input.taskDefinition === 'string' ? action.input.taskDefinition : await hooks.taskDefinitionArn();
      await clients.ecs.send(new CreateTaskSetCommand({ ...action.input, taskDefinition }));
      return true;
    }
    case 'UpdateTaskSet':
      await clients.ecs.send(new UpdateTaskSetCommand(action.input));
      return true;
    case 'UpdateServicePrimaryTaskSet':
      await clients.ecs.send(new UpdateServicePrimaryTaskSetCommand(action.input));
      return true;
    case 'DeleteTaskSet':
      // The machine deletes only task sets whose traffic is gone; force skips ECS's "scale to 0 first" rule.
      await clients.ecs.send(new DeleteTaskSetCommand({ ...action.input, force: true }));
      return true;
    case 'ModifyRule':
      await clients.elbv2.send(new ModifyRuleCommand(action.input));
      return true;
    case 'TagResource':
      await clients.ecs.send(new TagResourceCommand(action.input));
      return true;
    case 'UntagResource':
      await clients.ecs.send(new UntagResourceCommand(action.input));
      return true;
    case 'StartAnalysis':
      return hooks.startAnalysis(action.input);
    case 'StopAnalysis':
      return hooks.stopAnalysis(action.input.runId);
  }
}

export interface RolloutExecution {
  results: RolloutActionResult[];
  error?: ApplyError;
}

/** In order; after a failure the remaining actions are reported as skipped. */
export async function executeRolloutActions(clients: RolloutClients, actions: readonly RolloutAction[], hooks: ActionHooks): Promise<RolloutExecution> {
  const results: RolloutActionResult[] = [];
  let error: ApplyError | undefined;
  for (const action of actions) {
    const result: RolloutActionResult = { kind: action.kind, reason: action.reason, status: 'skipped' };
    results.push(result);
    if (error) continue;
    try {
      result.status = (await sendRolloutAction(clients, action, hooks)) ? 'ok' : 'noop';
    } catch (failure) {
      result.status = 'failed';
      error = { ...toApplyError(failure), message: `${action.kind}: ${toApplyError(failure).message}` };
    }
  }
  return error ? { results, error } : { results };
}

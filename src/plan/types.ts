import type {
  CreateServiceCommandInput,
  DeleteServiceCommandInput,
  DeregisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import type {
  DeleteScalingPolicyCommandInput,
  DeleteScheduledActionCommandInput,
  DeregisterScalableTargetCommandInput,
  PutScalingPolicyCommandInput,
  PutScheduledActionCommandInput,
  RegisterScalableTargetCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import type { ModifyTargetGroupAttributesCommandInput, ModifyTargetGroupCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FieldChange } from '../diff/index.js';
import type { ServiceKey } from '../observe/index.js';
import type { Hold } from '../hold/index.js';
import type { RecordKey } from '../integrity/index.js';

export { MANAGED_BY_TAG } from '../observe/index.js';
export const REVISION_TAG = 'ecs-reconciler:revision';
export const DEFAULT_INSTANCE = 'ecs-reconciler';
export const ADOPT_ANNOTATION = 'ecs-reconciler/adopt';
export const ALLOW_REPLACEMENT_ANNOTATION = 'ecs-reconciler/allow-replacement';

/**
 * Stands for the ARN that the RegisterTaskDefinition action earlier in the same plan returns. The applier
 * replaces it (see `resolveTaskDefinitionRef`) before sending CreateService/UpdateService.
 */
export interface TaskDefinitionRef {
  readonly $ref: 'registeredTaskDefinitionArn';
}
export const REGISTERED_TASK_DEFINITION: TaskDefinitionRef = Object.freeze({ $ref: 'registeredTaskDefinitionArn' });

export type WithTaskDefinitionRef<T> = Omit<T, 'taskDefinition'> & { taskDefinition?: string | TaskDefinitionRef };

/** One step of a plan: the planner's and the rollout engine's actions share this shape. */
export interface Action<K extends string, A extends string, I> {
  kind: K;
  api: A;
  /** Why the action is needed, for logs and `apply --dry-run`. */
  reason: string;
  /** The AWS resource acted on: `cluster/service`, a task definition family, a target group ARN, a scaling resource id... */
  resourceKey: string;
  /** The SDK command input, ready to send (after resolving a TaskDefinitionRef). */
  input: I;
}

export type PlannedAction =
  | Action<'ModifyTargetGroup', 'elbv2', ModifyTargetGroupCommandInput>
  | Action<'ModifyTargetGroupAttributes', 'elbv2', ModifyTargetGroupAttributesCommandInput>
  | Action<'RegisterTaskDefinition', 'ecs', RegisterTaskDefinitionCommandInput>
  | Action<'DeleteService', 'ecs', DeleteServiceCommandInput>
  | Action<'CreateService', 'ecs', WithTaskDefinitionRef<CreateServiceCommandInput>>
  | Action<'UpdateService', 'ecs', WithTaskDefinitionRef<UpdateServiceCommandInput>>
  | Action<'TagResource', 'ecs', TagResourceCommandInput>
  | Action<'UntagResource', 'ecs', UntagResourceCommandInput>
  | Action<'RegisterScalableTarget', 'autoscaling', RegisterScalableTargetCommandInput>
  | Action<'DeregisterScalableTarget', 'autoscaling', DeregisterScalableTargetCommandInput>
  | Action<'PutScalingPolicy', 'autoscaling', PutScalingPolicyCommandInput>
  | Action<'DeleteScalingPolicy', 'autoscaling', DeleteScalingPolicyCommandInput>
  | Action<'PutScheduledAction', 'autoscaling', PutScheduledActionCommandInput>
  | Action<'DeleteScheduledAction', 'autoscaling', DeleteScheduledActionCommandInput>
  | Action<'DeregisterTaskDefinition', 'ecs', DeregisterTaskDefinitionCommandInput>;

export type ActionKind = PlannedAction['kind'];

/**
 * - `in-sync`: nothing to do.
 * - `changes`: `actions` bring AWS to the desired state (and/or `deferred` changes wait for the rollout engine).
 * - `conflict`: a service of that name exists without our managed-by tag; nothing is done.
 * - `requires-replacement`: a field differs that AWS cannot change in place; nothing is done without the
 *   allow-replacement annotation (with it, the plan deletes and recreates, and the outcome is `changes`).
 * - `blocked`: the desired state refers to something that does not exist (e.g. a target group).
 */
export type PlanOutcome = 'in-sync' | 'changes' | 'conflict' | 'requires-replacement' | 'blocked';

/** A field-level difference, its path starting with the part of the service it belongs to. */
export type PlanSection = 'taskDefinition' | 'service' | 'tags' | 'autoscaling' | 'targetGroup';

export interface ServicePlan {
  key: ServiceKey;
  outcome: PlanOutcome;
  /** In execution order. */
  actions: PlannedAction[];
  /** What differs and `actions` (or a replacement) would fix, path[0] being a PlanSection. */
  changes: FieldChange[];
  /** Human-readable notes: conflicts, replacements, blocked references, work left to the rollout engine. */
  messages: string[];
  /** Differences the rollout engine applies (task definition and traffic of Canary/BlueGreen services). */
  deferred: FieldChange[];
  /** Rolling/Native: the failed-revision hold (src/hold), when a failure is recorded, detected or ends. */
  hold?: Hold;
}

export interface PlanOptions {
  /** The desired-state revision (git commit), written to the revision tag of changed services. */
  revision: string;
  /** Controller instance name, the value of the managed-by tag. Default `ecs-reconciler`. */
  instance?: string;
  /** Keep this many newest revisions of the family and deregister older unused ones. Off when undefined. */
  keepTaskDefinitionRevisions?: number;
  /** Epoch ms, for the failed-revision hold's deadline and record. Default: the system clock. */
  now?: number;
  /** Signs the failure records the plan writes; one that does not verify is not obeyed. Unsigned without it. */
  recordKey?: RecordKey;
}

export function resolveTaskDefinitionRef<T extends { taskDefinition?: string | TaskDefinitionRef }>(
  input: T,
  registeredArn: string | undefined,
): Omit<T, 'taskDefinition'> & { taskDefinition?: string } {
  const value = input.taskDefinition;
  if (value === undefined || typeof value === 'string') return input as Omit<T, 'taskDefinition'> & { taskDefinition?: string };
  if (!registeredArn) throw new Error('the plan refers to a registered task definition, but none was registered before this action');
  return { ...input, taskDefinition: registeredArn };
}

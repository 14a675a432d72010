/**
 * What the controller saw in AWS, as plain data. Records keyed by string (not Maps) so the state serializes as it
 * is for `/status`, logs and test fixtures. Settable fields keep AWS's own names and shapes (camelCase as the ECS
 * JSON protocol sends them) so that normalization can treat desired and observed alike.
 */

import { parseServiceKey } from '../manifest/identity.js';
import type { ServiceKey } from '../manifest/identity.js';

// Service keys are defined once, with the manifests; observe re-exports them for its callers.
export { clusterName, parseServiceKey, serviceKey } from '../manifest/identity.js';
export type { ServiceKey } from '../manifest/identity.js';

/** The tag naming the controller instance that manages a resource. */
export const MANAGED_BY_TAG = 'ecs-reconciler:managed-by';

export type JsonObject = { [key: string]: unknown };

/** SDK output structures are plain data; this views one as a JSON object without copying it. */
export function asJsonObject(value: object): JsonObject {
  return value as JsonObject;
}

export interface ObservedDeployment {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  /** Epoch seconds. */
  createdAt?: number;
}

/** ECS's native (BLUE_GREEN/LINEAR/CANARY) service deployment in flight, as DescribeServiceDeployments reports it. */
export interface ObservedNativeDeployment {
  arn: string;
  status: string;
  statusReason?: string;
  stage?: string;
  /** Percent of production and test traffic the new revision is asked to receive. */
  productionPercent?: number;
  testPercent?: number;
  /** The current stage's lifecycle hooks. */
  hooks: Array<{ targetArn: string; status: string }>;
  /** When the current bake (a LINEAR/CANARY step, or BAKE_TIME) ends, epoch ms: the last update plus the bake. */
  bakeEndsAt?: number;
}

export interface ObservedTaskSet {
  id: string;
  taskSetArn: string;
  status: string;
  externalId?: string;
  taskDefinition: string;
  computedDesiredCount: number;
  runningCount: number;
  pendingCount: number;
  scale?: { value?: number; unit?: string };
  stabilityStatus?: string;
  loadBalancers: JsonObject[];
  tags: Record<string, string>;
}

export interface ObservedService {
  key: ServiceKey;
  clusterName: string;
  clusterArn: string;
  serviceName: string;
  serviceArn: string;
  status: string;
  /** The task definition ARN the service's primary deployment runs. */
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deploymentControllerType: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  /** The service's settable fields as DescribeServices returned them (CreateService input names). */
  settings: JsonObject;
  tags: Record<string, string>;
  deployments: ObservedDeployment[];
  taskSets: ObservedTaskSet[];
  /**
   * Recently stopped tasks that failed (could not start, exited, failed health checks), read only when a plan is
   * about to deploy or a failure shows (see src/hold): they outlive the failed deployment by an hour or so.
   */
  failedTasks?: ObservedFailedTask[];
  /** Read only for a native strategy with a deployment in flight. */
  nativeDeployment?: ObservedNativeDeployment;
}

export interface ObservedFailedTask {
  taskDefinitionArn: string;
  /** The task's stopped reason, or its container's (e.g. `CannotPullContainerError: ...`). */
  reason: string;
}

/** DescribeTaskDefinition's `taskDefinition`, as returned (read-only fields included), plus its tags. */
export interface ObservedTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  definition: JsonObject;
  tags: Record<string, string>;
}

export interface ObservedTargetGroup {
  arn: string;
  name: string;
  /** DescribeTargetGroups fields (PascalCase as ELBv2 sends them): health check settings, protocol, port... */
  settings: JsonObject;
  /** Present only when attributes were asked for. */
  attributes?: Record<string, string>;
}

export interface ObservedRule {
  arn: string;
  priority: string;
  isDefault: boolean;
  /** Forward target groups and weights from the rule's forward action (empty when it has none). */
  forward: { targetGroupArn: string; weight: number }[];
  actions: JsonObject[];
}

export interface ObservedTargetHealth {
  id: string;
  port?: number;
  state: string;
  reason?: string;
}

export interface ObservedScalableTarget {
  resourceId: string;
  minCapacity: number;
  maxCapacity: number;
  suspendedState: {
    dynamicScalingInSuspended: boolean;
    dynamicScalingOutSuspended: boolean;
    scheduledScalingSuspended: boolean;
  };
}

export interface ObservedScalingPolicy {
  resourceId: string;
  policyName: string;
  policyArn: string;
  policyType: string;
  targetTrackingScalingPolicyConfiguration?: JsonObject;
  stepScalingPolicyConfiguration?: JsonObject;
}

export interface ObservedScheduledAction {
  resourceId: string;
  scheduledActionName: string;
  schedule: string;
  timezone?: string;
  startTime?: string;
  endTime?: string;
  scalableTargetAction?: { minCapacity?: number; maxCapacity?: number };
}

export interface ObservedState {
  /** Services found and not INACTIVE, by key. */
  services: Record<ServiceKey, ObservedService>;
  /** Keys that were asked for and do not exist (or are INACTIVE). */
  missing: ServiceKey[];
  /** Cluster names ECS answered ClusterNotFoundException for while reading their services. */
  missingClusters: string[];
  /** Tags by cluster name, for the clusters read with `extras.clusterTags` (prune's ledger and approvals). */
  clusterTags: Record<string, Record<string, string>>;
  taskDefinitions: Record<string, ObservedTaskDefinition>;
  /** ACTIVE revision ARNs per family, oldest first; read only for the families asked for (revision cleanup). */
  taskDefinitionRevisions: Record<string, string[]>;
  targetGroups: Record<string, ObservedTargetGroup>;
  /** Target group name -> ARN, for resolving manifest references. */
  targetGroupArnsByName: Record<string, string>;
  rules: Record<string, ObservedRule>;
  targetHealth: Record<string, ObservedTargetHealth[]>;
  /** By Application Auto Scaling resource id (`service/<cluster>/<service>`). */
  scalableTargets: Record<string, ObservedScalableTarget>;
  scalingPolicies: Record<string, ObservedScalingPolicy[]>;
  scheduledActions: Record<string, ObservedScheduledAction[]>;
}

export function emptyObservedState(): ObservedState {
  return {
    services: {},
    missing: [],
    missingClusters: [],
    clusterTags: {},
    taskDefinitions: {},
    taskDefinitionRevisions: {},
    targetGroups: {},
    targetGroupArnsByName: {},
    rules: {},
    targetHealth: {},
    scalableTargets: {},
    scalingPolicies: {},
    scheduledActions: {},
  };
}

/** Application Auto Scaling's resource id for an ECS service. */
export function scalableResourceId(key: ServiceKey): string {
  const { cluster, service } = parseServiceKey(key);
  return `service/${cluster}/${service}`;
}

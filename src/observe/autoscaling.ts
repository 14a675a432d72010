import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import type { ApplicationAutoScalingClient, ScalingPolicy, ScheduledAction } from '@aws-sdk/client-application-auto-scaling';
import { allPages, chunk, unique } from './batch.js';
import { asJsonObject } from './types.js';
import type { ObservedScalableTarget, ObservedScalingPolicy, ObservedScheduledAction } from './types.js';

/** DescribeScalableTargets takes up to 50 resource ids; policies page by 10, scheduled actions by 50. */
export const SCALABLE_TARGETS_BATCH = 50;
export const SCALING_POLICIES_PAGE = 10;
export const SCHEDULED_ACTIONS_PAGE = 50;

const ECS = { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount' } as const;

/**
 * Scalable targets of the given resources, 50 ids per call; without `resourceIds`, the whole ecs namespace in pages
 * of 50, which costs one page per 50 targets that exist rather than per 50 services asked about.
 */
export async function describeScalableTargets(client: ApplicationAutoScalingClient, resourceIds?: readonly string[]): Promise<ObservedScalableTarget[]> {
  const scopes = resourceIds ? chunk(unique(resourceIds), SCALABLE_TARGETS_BATCH).map((ResourceIds) => ({ ResourceIds })) : [{}];
  const batches = await Promise.all(
    scopes.map((scope) =>
      allPages(async (NextToken) => {
        const out = await client.send(new DescribeScalableTargetsCommand({ ...ECS, ...scope, MaxResults: SCALABLE_TARGETS_BATCH, NextToken }));
        return { items: out.ScalableTargets ?? [], next: out.NextToken };
      }),
    ),
  );
  return batches.flat().map((target) => ({
    resourceId: target.ResourceId ?? '',
    minCapacity: target.MinCapacity ?? 0,
    maxCapacity: target.MaxCapacity ?? 0,
    suspendedState: {
      dynamicScalingInSuspended: target.SuspendedState?.DynamicScalingInSuspended ?? false,
      dynamicScalingOutSuspended: target.SuspendedState?.DynamicScalingOutSuspended ?? false,
      scheduledScalingSuspended: target.SuspendedState?.ScheduledScalingSuspended ?? false,
    },
  }));
}

/**
 * Scaling policies of the given resources. The API filters by one ResourceId per call, so with `resourceIds`
 * it is one paged call per resource; without, the whole ecs namespace is paged (cheaper for a full resync).
 */
export async function describeScalingPolicies(client: ApplicationAutoScalingClient, resourceIds?: readonly string[]): Promise<ObservedScalingPolicy[]> {
  const scopes = resourceIds ? unique(resourceIds).map((ResourceId) => ({ ResourceId })) : [{}];
  const pages = await Promise.all(
    scopes.map((scope) =>
      allPages(async (NextToken) => {
        const out = await client.send(new DescribeScalingPoliciesCommand({ ...ECS, ...scope, MaxResults: SCALING_POLICIES_PAGE, NextToken }));
        return { items: out.ScalingPolicies ?? [], next: out.NextToken };
      }),
    ),
  );
  return pages.flat().filter((policy) => policy.ScalableDimension === ECS.ScalableDimension).map(toObservedPolicy);
}

function toObservedPolicy(policy: ScalingPolicy): ObservedScalingPolicy {
  return {
    resourceId: policy.ResourceId ?? '',
    policyName: policy.PolicyName ?? '',
    policyArn: policy.PolicyARN ?? '',
    policyType: policy.PolicyType ?? '',
    ...(policy.TargetTrackingScalingPolicyConfiguration
      ? { targetTrackingScalingPolicyConfiguration: asJsonObject(policy.TargetTrackingScalingPolicyConfiguration) }
      : {}),
    ...(policy.StepScalingPolicyConfiguration ? { stepScalingPolicyConfiguration: asJsonObject(policy.StepScalingPolicyConfiguration) } : {}),
  };
}

export async function describeScheduledActions(client: ApplicationAutoScalingClient, resourceIds?: readonly string[]): Promise<ObservedScheduledAction[]> {
  const scopes = resourceIds ? unique(resourceIds).map((ResourceId) => ({ ResourceId })) : [{}];
  const pages = await Promise.all(
    scopes.map((scope) =>
      allPages(async (NextToken) => {
        const out = await client.send(new DescribeScheduledActionsCommand({ ...ECS, ...scope, MaxResults: SCHEDULED_ACTIONS_PAGE, NextToken }));
        return { items: out.ScheduledActions ?? [], next: out.NextToken };
      }),
    ),
  );
  return pages.flat().filter((action) => action.ScalableDimension === undefined || action.ScalableDimension === ECS.ScalableDimension).map(toObservedScheduledAction);
}

function toObservedScheduledAction(action: ScheduledAction): ObservedScheduledAction {
  const target = action.ScalableTargetAction;
  return {
    resourceId: action.ResourceId ?? '',
    scheduledActionName: action.ScheduledActionName ?? '',
    schedule: action.Schedule ?? '',
    ...(action.Timezone ? { timezone: action.Timezone } : {}),
    ...(action.StartTime ? { startTime: action.StartTime.toISOString() } : {}),
    ...(action.EndTime ? { endTime: action.EndTime.toISOString() } : {}),
    ...(target
      ? {
          scalableTargetAction: {
            ...(target.MinCapacity !== undefined ? { minCapacity: target.MinCapacity } : {}),
            ...(target.MaxCapacity !== undefined ? { maxCapacity: target.MaxCapacity } : {}),
          },
        }
      : {}),
  };
}

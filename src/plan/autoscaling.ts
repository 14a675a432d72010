import type { AutoscalingSpec, ScalingPolicySpec, ScheduledActionSpec } from '../manifest/schema.js';
import { diffValues, prune } from '../diff/index.js';
import type { FieldChange, JsonRecord } from '../diff/index.js';
import type { ObservedScalableTarget, ObservedScalingPolicy, ObservedScheduledAction } from '../observe/index.js';
import type { PlannedAction } from './types.js';

const ECS_DIMENSION = { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount' } as const;

export interface ObservedScaling {
  target?: ObservedScalableTarget | undefined;
  policies: readonly ObservedScalingPolicy[];
  scheduledActions: readonly ObservedScheduledAction[];
}

export interface ScalingPlan {
  actions: PlannedAction[];
  changes: FieldChange[];
}

/**
 * Application Auto Scaling actions for one service: RegisterScalableTarget (an upsert) only when min, max or the
 * suspended state differ, then one Put/Delete per changed policy and scheduled action.
 */
export function planAutoscaling(resourceId: string, desired: AutoscalingSpec, observed: ObservedScaling): ScalingPlan {
  const actions: PlannedAction[] = [];
  const changes: FieldChange[] = [];
  const record = (found: FieldChange[], path: (string | number)[]) => changes.push(...found.map((c) => ({ ...c, path: ['autoscaling', ...path, ...c.path] })));

  const desiredTarget = canonicalTarget(desired);
  const targetChanges = diffValues(desiredTarget, observed.target ? canonicalTarget(observed.target) : undefined);
  if (targetChanges.length > 0) {
    record(targetChanges, ['scalableTarget']);
    actions.push({
      kind: 'RegisterScalableTarget',
      api: 'autoscaling',
      reason: observed.target ? 'scalable target min/max/suspended state differ' : 'scalable target missing',
      resourceKey: resourceId,
      input: {
        ...ECS_DIMENSION,
        ResourceId: resourceId,
        MinCapacity: desired.minCapacity,
        MaxCapacity: desired.maxCapacity,
        SuspendedState: {
          DynamicScalingInSuspended: desiredTarget.suspendedState.dynamicScalingInSuspended,
          DynamicScalingOutSuspended: desiredTarget.suspendedState.dynamicScalingOutSuspended,
          ScheduledScalingSuspended: desiredTarget.suspendedState.scheduledScalingSuspended,
        },
      },
    });
  }

  const observedPolicies = new Map(observed.policies.map((policy) => [policy.policyName, policy]));
  for (const policy of desired.policies ?? []) {
    const wanted = desiredPolicy(policy);
    const current = observedPolicies.get(policy.name);
    observedPolicies.delete(policy.name);
    const found = diffValues(canonicalPolicy(wanted, wanted), current ? canonicalPolicy(observedPolicyShape(current), wanted) : undefined);
    if (found.length === 0) continue;
    record(found, ['policies', policy.name]);
    actions.push({
      kind: 'PutScalingPolicy',
      api: 'autoscaling',
      reason: current ? `scaling policy ${policy.name} differs` : `scaling policy ${policy.name} missing`,
      resourceKey: `${resourceId}/policy/${policy.name}`,
      input: { ...ECS_DIMENSION, ResourceId: resourceId, PolicyName: policy.name, ...wanted } as PlannedInput<'PutScalingPolicy'>,
    });
  }
  for (const stale of observedPolicies.values()) {
    record([{ path: [], kind: 'removed', observed: observedPolicyShape(stale) }], ['policies', stale.policyName]);
    actions.push({
      kind: 'DeleteScalingPolicy',
      api: 'autoscaling',
      reason: `scaling policy ${stale.policyName} is not in the manifest`,
      resourceKey: `${resourceId}/policy/${stale.policyName}`,
      input: { ...ECS_DIMENSION, ResourceId: resourceId, PolicyName: stale.policyName },
    });
  }

  const observedActions = new Map(observed.scheduledActions.map((action) => [action.scheduledActionName, action]));
  for (const action of desired.scheduledActions ?? []) {
    const current = observedActions.get(action.name);
    observedActions.delete(action.name);
    const found = diffValues(canonicalSchedule(desiredSchedule(action)), current ? canonicalSchedule(current) : undefined);
    if (found.length === 0) continue;
    record(found, ['scheduledActions', action.name]);
    actions.push({
      kind: 'PutScheduledAction',
      api: 'autoscaling',
      reason: current ? `scheduled action ${action.name} differs` : `scheduled action ${action.name} missing`,
      resourceKey: `${resourceId}/scheduled/${action.name}`,
      input: {
        ...ECS_DIMENSION,
        ResourceId: resourceId,
        ScheduledActionName: action.name,
        Schedule: action.schedule,
        ...(action.timezone ? { Timezone: action.timezone } : {}),
        ...(action.startTime ? { StartTime: new Date(action.startTime) } : {}),
        ...(action.endTime ? { EndTime: new Date(action.endTime) } : {}),
        ScalableTargetAction: {
          ...(action.minCapacity !== undefined ? { MinCapacity: action.minCapacity } : {}),
          ...(action.maxCapacity !== undefined ? { MaxCapacity: action.maxCapacity } : {}),
        },
      },
    });
  }
  for (const stale of observedActions.values()) {
    record([{ path: [], kind: 'removed', observed: stale }], ['scheduledActions', stale.scheduledActionName]);
    actions.push({
      kind: 'DeleteScheduledAction',
      api: 'autoscaling',
      reason: `scheduled action ${stale.scheduledActionName} is not in the manifest`,
      resourceKey: `${resourceId}/scheduled/${stale.scheduledActionName}`,
      input: { ...ECS_DIMENSION, ResourceId: resourceId, ScheduledActionName: stale.scheduledActionName },
    });
  }
  return { actions, changes };
}

type PlannedInput<K extends PlannedAction['kind']> = Extract<PlannedAction, { kind: K }>['input'];

interface TargetShape {
  minCapacity: number;
  maxCapacity: number;
  suspendedState?: Partial<ObservedScalableTarget['suspendedState']> | undefined;
}

function canonicalTarget(target: TargetShape) {
  const suspended = target.suspendedState ?? {};
  return {
    minCapacity: target.minCapacity,
    maxCapacity: target.maxCapacity,
    suspendedState: {
      dynamicScalingInSuspended: suspended.dynamicScalingInSuspended ?? false,
      dynamicScalingOutSuspended: suspended.dynamicScalingOutSuspended ?? false,
      scheduledScalingSuspended: suspended.scheduledScalingSuspended ?? false,
    },
  };
}

/** The PutScalingPolicy fields (PascalCase, as Application Auto Scaling takes and returns them) of a manifest policy. */
function desiredPolicy(policy: ScalingPolicySpec): JsonRecord {
  if (policy.targetTracking) {
    const t = policy.targetTracking;
    return {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: prune({
        TargetValue: t.targetValue,
        PredefinedMetricSpecification: t.predefinedMetric ? { PredefinedMetricType: t.predefinedMetric, ResourceLabel: t.resourceLabel } : undefined,
        CustomizedMetricSpecification: t.customizedMetric
          ? {
              MetricName: t.customizedMetric.metricName,
              Namespace: t.customizedMetric.namespace,
              Dimensions: t.customizedMetric.dimensions?.map((d) => ({ Name: d.name, Value: d.value })),
              Statistic: t.customizedMetric.statistic,
              Unit: t.customizedMetric.unit,
            }
          : undefined,
        ScaleInCooldown: t.scaleInCooldown,
        ScaleOutCooldown: t.scaleOutCooldown,
        DisableScaleIn: t.disableScaleIn,
      }),
    };
  }
  const s = policy.stepScaling;
  if (!s) throw new Error(`scaling policy ${policy.name} has neither targetTracking nor stepScaling`);
  return {
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: prune({
      AdjustmentType: s.adjustmentType,
      Cooldown: s.cooldown,
      MetricAggregationType: s.metricAggregationType,
      MinAdjustmentMagnitude: s.minAdjustmentMagnitude,
      StepAdjustments: s.stepAdjustments.map((step) => ({
        MetricIntervalLowerBound: step.metricIntervalLowerBound,
        MetricIntervalUpperBound: step.metricIntervalUpperBound,
        ScalingAdjustment: step.scalingAdjustment,
      })),
    }),
  };
}

function observedPolicyShape(policy: ObservedScalingPolicy): JsonRecord {
  return {
    PolicyType: policy.policyType,
    ...(policy.targetTrackingScalingPolicyConfiguration ? { TargetTrackingScalingPolicyConfiguration: policy.targetTrackingScalingPolicyConfiguration } : {}),
    ...(policy.stepScalingPolicyConfiguration ? { StepScalingPolicyConfiguration: policy.stepScalingPolicyConfiguration } : {}),
  };
}

/** Cooldowns the manifest leaves out are whatever Application Auto Scaling chose; they are not compared. */
const UNSPECIFIED_WHEN_OMITTED = ['ScaleInCooldown', 'ScaleOutCooldown', 'Cooldown', 'MinAdjustmentMagnitude'];

function canonicalPolicy(policy: JsonRecord, desired: JsonRecord): JsonRecord {
  const out: JsonRecord = { PolicyType: policy.PolicyType };
  for (const key of ['TargetTrackingScalingPolicyConfiguration', 'StepScalingPolicyConfiguration']) {
    const config = policy[key] as JsonRecord | undefined;
    if (!config) continue;
    const wanted = (desired[key] as JsonRecord | undefined) ?? {};
    const copy: JsonRecord = { DisableScaleIn: false, MetricAggregationType: 'Average', ...config };
    if (key === 'TargetTrackingScalingPolicyConfiguration') delete copy.MetricAggregationType;
    else delete copy.DisableScaleIn;
    for (const field of UNSPECIFIED_WHEN_OMITTED) if (wanted[field] === undefined) delete copy[field];
    if (Array.isArray(copy.StepAdjustments)) {
      copy.StepAdjustments = [...(copy.StepAdjustments as JsonRecord[])].sort(
        (a, b) => Number(a.MetricIntervalLowerBound ?? -Infinity) - Number(b.MetricIntervalLowerBound ?? -Infinity),
      );
    }
    out[key] = prune(copy);
  }
  return out;
}

interface ScheduleShape {
  schedule: string;
  timezone?: string | undefined;
  startTime?: string | undefined;
  endTime?: string | undefined;
  scalableTargetAction?: { minCapacity?: number | undefined; maxCapacity?: number | undefined } | undefined;
}

function desiredSchedule(action: ScheduledActionSpec): ScheduleShape {
  return {
    schedule: action.schedule,
    timezone: action.timezone,
    startTime: action.startTime,
    endTime: action.endTime,
    scalableTargetAction: { minCapacity: action.minCapacity, maxCapacity: action.maxCapacity },
  };
}

/** Times compare as instants (an offset and Z spell the same time); no timezone means UTC. */
function canonicalSchedule(action: ScheduleShape): unknown {
  const instant = (value: string | undefined) => (value ? new Date(value).toISOString() : undefined);
  return prune({
    schedule: action.schedule,
    timezone: action.timezone ?? 'UTC',
    startTime: instant(action.startTime),
    endTime: instant(action.endTime),
    scalableTargetAction: action.scalableTargetAction,
  });
}

import { AwsError } from '../core/errors.js';
import type { Handlers } from '../core/service.js';
import { pageOf } from '../elbv2/paging.js';
import { isRecord, ParamReader } from '../elbv2/params.js';
import { isValidTimeZone, parseSchedule } from './schedule.js';
import { targetKeyOf, validation, type AutoscalingState, type ScalableTarget, type ScalingPolicy, type ScheduledAction, type TargetId, type TargetTrackingConfig } from './state.js';

const read = (input: unknown): ParamReader => ParamReader.of(input, validation);
const invalidToken = (): AwsError => new AwsError('InvalidNextTokenException', 'Invalid token', 400);

const ECS_PREDEFINED_METRICS = new Set(['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization', 'ALBRequestCountPerTarget']);
const RESOURCE_LABEL = /^app\/[^/]+\/[0-9a-f]+\/targetgroup\/[^/]+\/[0-9a-f]+$/;
const MAX_TAGS = 50;

function targetId(params: ParamReader): TargetId {
  return { serviceNamespace: params.string('ServiceNamespace'), resourceId: params.string('ResourceId'), scalableDimension: params.string('ScalableDimension') };
}

function tagMap(params: ParamReader, name: string): Map<string, string> | undefined {
  const raw = params.raw(name);
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw validation(`${name} must be a map of tag keys to values`);
  const tags = new Map(Object.entries(raw).map(([key, value]) => [key, String(value)]));
  if (tags.size > MAX_TAGS) throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags`, 400);
  return tags;
}

function suspendedState(params: ParamReader): Partial<ScalableTarget['suspended']> | undefined {
  const struct = params.optStruct('SuspendedState');
  if (!struct) return undefined;
  const state: Partial<ScalableTarget['suspended']> = {};
  for (const key of ['DynamicScalingInSuspended', 'DynamicScalingOutSuspended', 'ScheduledScalingSuspended'] as const) {
    const value = struct.optBoolean(key);
    if (value !== undefined) state[key] = value;
  }
  return state;
}

function targetTrackingConfig(params: ParamReader): TargetTrackingConfig {
  const config = params.optStruct('TargetTrackingScalingPolicyConfiguration');
  if (!config) throw validation('TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy');
  const targetValue = config.number('TargetValue');
  if (targetValue <= 0) throw validation(`TargetValue must be greater than 0, got ${targetValue}`);
  const predefined = config.optStruct('PredefinedMetricSpecification');
  const customized = config.raw('CustomizedMetricSpecification');
  if ((predefined === undefined) === (customized === undefined || customized === null)) {
    throw validation('Exactly one of PredefinedMetricSpecification or CustomizedMetricSpecification must be specified');
  }
  const result: TargetTrackingConfig = { TargetValue: targetValue };
  if (predefined) {
    const type = predefined.string('PredefinedMetricType');
    if (!ECS_PREDEFINED_METRICS.has(type)) throw validation(`Unsupported predefined metric type '${type}' for service namespace ecs`);
    const label = predefined.optString('ResourceLabel');
    if (type === 'ALBRequestCountPerTarget' && (label === undefined || !RESOURCE_LABEL.test(label))) {
      throw validation('ResourceLabel is required for ALBRequestCountPerTarget, as app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>');
    }
    result.PredefinedMetricSpecification = { PredefinedMetricType: type, ...(label !== undefined ? { ResourceLabel: label } : {}) };
  } else {
    if (!isRecord(customized)) throw validation('CustomizedMetricSpecification must be a structure');
    result.CustomizedMetricSpecification = customized;
  }
  const scaleOut = config.optInt('ScaleOutCooldown', 0, 31536000);
  const scaleIn = config.optInt('ScaleInCooldown', 0, 31536000);
  const disableScaleIn = config.optBoolean('DisableScaleIn');
  if (scaleOut !== undefined) result.ScaleOutCooldown = scaleOut;
  if (scaleIn !== undefined) result.ScaleInCooldown = scaleIn;
  if (disableScaleIn !== undefined) result.DisableScaleIn = disableScaleIn;
  return result;
}

function stepScalingConfig(params: ParamReader): Record<string, unknown> {
  const config = params.optStruct('StepScalingPolicyConfiguration');
  if (!config) throw validation('StepScalingPolicyConfiguration is required for a StepScaling policy');
  const adjustmentType = config.optString('AdjustmentType');
  if (adjustmentType !== undefined && !['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity'].includes(adjustmentType)) {
    throw validation(`AdjustmentType '${adjustmentType}' is not valid`);
  }
  const steps = config.structList('StepAdjustments');
  if (!steps || steps.length === 0) throw validation('StepAdjustments must contain at least one step adjustment');
  for (const step of steps) step.number('ScalingAdjustment');
  return params.raw('StepScalingPolicyConfiguration') as Record<string, unknown>;
}

function describeScalableTarget(target: ScalableTarget): Record<string, unknown> {
  return {
    ServiceNamespace: target.serviceNamespace,
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    MinCapacity: target.minCapacity,
    MaxCapacity: target.maxCapacity,
    RoleARN: target.roleArn,
    CreationTime: new Date(target.createdAt),
    SuspendedState: target.suspended,
    ScalableTargetARN: target.arn,
  };
}

function describePolicy(policy: ScalingPolicy, target: ScalableTarget): Record<string, unknown> {
  return {
    PolicyARN: policy.arn,
    PolicyName: policy.name,
    ServiceNamespace: target.serviceNamespace,
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    PolicyType: policy.policyType,
    ...(policy.stepScaling ? { StepScalingPolicyConfiguration: policy.stepScaling } : {}),
    ...(policy.targetTracking ? { TargetTrackingScalingPolicyConfiguration: policy.targetTracking } : {}),
    Alarms: policy.alarms,
    CreationTime: new Date(policy.createdAt),
  };
}

function describeScheduledAction(action: ScheduledAction, target: ScalableTarget): Record<string, unknown> {
  return {
    ScheduledActionName: action.name,
    ScheduledActionARN: action.arn,
    ServiceNamespace: target.serviceNamespace,
    Schedule: action.schedule,
    ...(action.timezone ? { Timezone: action.timezone } : {}),
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    ...(action.startTime !== undefined ? { StartTime: new Date(action.startTime) } : {}),
    ...(action.endTime !== undefined ? { EndTime: new Date(action.endTime) } : {}),
    ScalableTargetAction: {
      ...(action.minCapacity !== undefined ? { MinCapacity: action.minCapacity } : {}),
      ...(action.maxCapacity !== undefined ? { MaxCapacity: action.maxCapacity } : {}),
    },
    CreationTime: new Date(action.createdAt),
  };
}

/** The filters every Describe* shares: namespace (required), optional resource and dimension. */
function targetsMatching(state: AutoscalingState, params: ParamReader, visible: (createdAt: number) => boolean, resourceIds?: string[]): ScalableTarget[] {
  const namespace = params.string('ServiceNamespace');
  const dimension = params.optString('ScalableDimension');
  const single = params.optString('ResourceId');
  const wanted = resourceIds?.length ? new Set(resourceIds) : single !== undefined ? new Set([single]) : undefined;
  return [...state.targets.values()].filter(
    (t) =>
      t.serviceNamespace === namespace && (dimension === undefined || t.scalableDimension === dimension) && (wanted === undefined || wanted.has(t.resourceId)) && visible(t.createdAt),
  );
}

function paged<T>(key: string, items: T[], params: ParamReader, maxResults: number, render: (item: T) => unknown): Record<string, unknown> {
  const size = params.optInt('MaxResults', 1, maxResults) ?? maxResults;
  const { page, next } = pageOf(items, params.optString('NextToken'), size, invalidToken);
  return { [key]: page.map(render), ...(next ? { NextToken: next } : {}) };
}

/**
 * Application Auto Scaling's API over an `AutoscalingState`. `visible(createdAt)` lets the sandbox's
 * eventual-consistency fault hide what was created a moment ago from the describes.
 */
export function autoscalingHandlers(state: AutoscalingState, visible: (createdAt: number) => boolean = () => true): Handlers {
  return {
    RegisterScalableTarget(input: unknown) {
      const params = read(input);
      const min = params.optInt('MinCapacity', 0, 2147483647);
      const max = params.optInt('MaxCapacity', 0, 2147483647);
      const target = state.registerTarget(targetId(params), {
        ...(min !== undefined ? { minCapacity: min } : {}),
        ...(max !== undefined ? { maxCapacity: max } : {}),
        ...(params.has('RoleARN') ? { roleArn: params.string('RoleARN') } : {}),
        suspended: suspendedState(params),
        tags: tagMap(params, 'Tags'),
      });
      return { ScalableTargetARN: target.arn };
    },

    DeregisterScalableTarget(input: unknown) {
      state.deregisterTarget(targetId(read(input)));
      return {};
    },

    DescribeScalableTargets(input: unknown) {
      const params = read(input);
      const resourceIds = params.stringList('ResourceIds');
      if (resourceIds && resourceIds.length > 50) throw validation('ResourceIds can contain at most 50 resource IDs');
      return paged('ScalableTargets', targetsMatching(state, params, visible, resourceIds), params, 50, describeScalableTarget);
    },

    PutScalingPolicy(input: unknown) {
      const params = read(input);
      const name = params.string('PolicyName');
      if (name.length > 256 || /[:/|]/.test(name)) throw validation(`PolicyName '${name}' is not valid`);
      const policyType = params.optString('PolicyType') ?? 'StepScaling';
      if (policyType !== 'TargetTrackingScaling' && policyType !== 'StepScaling') throw validation(`The sandbox does not support policy type '${policyType}'`);
      const policy = state.putPolicy(
        targetId(params),
        name,
        policyType,
        policyType === 'TargetTrackingScaling' ? { targetTracking: targetTrackingConfig(params) } : { stepScaling: stepScalingConfig(params) },
      );
      return { PolicyARN: policy.arn, ...(policy.alarms.length ? { Alarms: policy.alarms } : {}) };
    },

    DescribeScalingPolicies(input: unknown) {
      const params = read(input);
      const names = params.stringList('PolicyNames');
      if (names && names.length > 50) throw validation('PolicyNames can contain at most 50 names');
      const wanted = names?.length ? new Set(names) : undefined;
      const rows = targetsMatching(state, params, visible).flatMap((target) =>
        [...(state.policies.get(target.key)?.values() ?? [])].filter((p) => (wanted === undefined || wanted.has(p.name)) && visible(p.createdAt)).map((policy) => ({ policy, target })),
      );
      return paged('ScalingPolicies', rows, params, 10, ({ policy, target }) => describePolicy(policy, target));
    },

    DeleteScalingPolicy(input: unknown) {
      const params = read(input);
      state.deletePolicy(targetId(params), params.string('PolicyName'));
      return {};
    },

    PutScheduledAction(input: unknown) {
      const params = read(input);
      const id = targetId(params);
      const name = params.string('ScheduledActionName');
      const existing = state.scheduledActions.get(targetKeyOf(id))?.get(name);
      const schedule = params.optString('Schedule') ?? existing?.schedule;
      if (schedule === undefined) throw validation('Schedule is required when creating a scheduled action');
      const parsed = parseSchedule(schedule);
      if (typeof parsed === 'string') throw validation(parsed);
      const timezone = params.optString('Timezone') ?? existing?.timezone;
      if (timezone !== undefined && !isValidTimeZone(timezone)) throw validation(`Timezone '${timezone}' is not a valid IANA time zone`);
      const action = params.optStruct('ScalableTargetAction');
      const min = action?.optInt('MinCapacity', 0, 2147483647) ?? existing?.minCapacity;
      const max = action?.optInt('MaxCapacity', 0, 2147483647) ?? existing?.maxCapacity;
      if (min !== undefined && max !== undefined && min > max) throw validation(`Minimum capacity (${min}) cannot be greater than maximum capacity (${max})`);
      state.putScheduledAction(id, {
        name,
        schedule,
        parsed,
        ...(timezone !== undefined ? { timezone } : {}),
        ...(params.has('StartTime') ? { startTime: params.timestamp('StartTime') } : existing?.startTime !== undefined ? { startTime: existing.startTime } : {}),
        ...(params.has('EndTime') ? { endTime: params.timestamp('EndTime') } : existing?.endTime !== undefined ? { endTime: existing.endTime } : {}),
        ...(min !== undefined ? { minCapacity: min } : {}),
        ...(max !== undefined ? { maxCapacity: max } : {}),
      });
      return {};
    },

    DescribeScheduledActions(input: unknown) {
      const params = read(input);
      const names = params.stringList('ScheduledActionNames');
      const wanted = names?.length ? new Set(names) : undefined;
      const rows = targetsMatching(state, params, visible).flatMap((target) =>
        [...(state.scheduledActions.get(target.key)?.values() ?? [])].filter((a) => (wanted === undefined || wanted.has(a.name)) && visible(a.createdAt)).map((action) => ({ action, target })),
      );
      return paged('ScheduledActions', rows, params, 50, ({ action, target }) => describeScheduledAction(action, target));
    },

    DeleteScheduledAction(input: unknown) {
      const params = read(input);
      state.deleteScheduledAction(targetId(params), params.string('ScheduledActionName'));
      return {};
    },

    TagResource(input: unknown) {
      const params = read(input);
      const target = taggable(state, params.string('ResourceARN'));
      const tags = tagMap(params, 'Tags') ?? new Map<string, string>();
      const merged = new Map([...target.tags, ...tags]);
      if (merged.size > MAX_TAGS) throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags`, 400);
      target.tags = merged;
      return {};
    },

    UntagResource(input: unknown) {
      const params = read(input);
      const target = taggable(state, params.string('ResourceARN'));
      for (const key of params.stringList('TagKeys') ?? []) target.tags.delete(key);
      return {};
    },

    ListTagsForResource(input: unknown) {
      const target = taggable(state, read(input).string('ResourceARN'));
      return { Tags: Object.fromEntries(target.tags) };
    },
  };
}

function taggable(state: AutoscalingState, arn: string): ScalableTarget {
  const target = state.targetByArn(arn);
  if (!target) throw new AwsError('ResourceNotFoundException', `No scalable target found for ARN ${arn}`, 404);
  return target;
}

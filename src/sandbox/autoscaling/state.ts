import { createHash } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import type { EcsView, SandboxClock } from '../world.js';
import { lastFiring, type Schedule } from './schedule.js';

export const ECS_NAMESPACE = 'ecs';
export const ECS_DIMENSION = 'ecs:service:DesiredCount';
/** Target tracking evaluates its metric once a minute, like the alarms AWS creates for it. */
export const TARGET_TRACKING_PERIOD_MS = 60_000;
const DEFAULT_ECS_COOLDOWN_SECONDS = 300;

export const validation = (message: string): AwsError => new AwsError('ValidationException', message, 400);

export interface SuspendedState {
  DynamicScalingInSuspended: boolean;
  DynamicScalingOutSuspended: boolean;
  ScheduledScalingSuspended: boolean;
}

export interface TargetId {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
}

export interface ScalableTarget extends TargetId {
  key: string;
  arn: string;
  cluster: string;
  service: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  createdAt: number;
  suspended: SuspendedState;
  tags: Map<string, string>;
}

export interface TargetTrackingConfig {
  TargetValue: number;
  PredefinedMetricSpecification?: { PredefinedMetricType: string; ResourceLabel?: string };
  CustomizedMetricSpecification?: Record<string, unknown>;
  ScaleOutCooldown?: number;
  ScaleInCooldown?: number;
  DisableScaleIn?: boolean;
}

export interface ScalingPolicy {
  arn: string;
  name: string;
  targetKey: string;
  policyType: 'TargetTrackingScaling' | 'StepScaling';
  targetTracking?: TargetTrackingConfig;
  stepScaling?: Record<string, unknown>;
  alarms: Array<{ AlarmName: string; AlarmARN: string }>;
  createdAt: number;
  lastScaleOutAt?: number;
  lastScaleInAt?: number;
  lastEvaluatedAt: number;
}

export interface ScheduledAction {
  arn: string;
  name: string;
  targetKey: string;
  schedule: string;
  parsed: Schedule;
  timezone?: string;
  startTime?: number;
  endTime?: number;
  minCapacity?: number;
  maxCapacity?: number;
  createdAt: number;
  lastEvaluatedAt: number;
}

export interface AutoscalingStateOptions {
  region: string;
  accountId: string;
  clock: SandboxClock;
  ecs: () => EcsView | undefined;
}

export const targetKeyOf = (id: TargetId): string => `${id.serviceNamespace}|${id.resourceId}|${id.scalableDimension}`;

const describeTarget = (id: TargetId): string => `service namespace: ${id.serviceNamespace}, resource ID: ${id.resourceId}, scalable dimension: ${id.scalableDimension}`;

/** `service/<cluster>/<service>` -> its parts; the only resource type the sandbox scales. */
export function parseEcsResourceId(resourceId: string): { cluster: string; service: string } {
  const match = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  if (!match) throw validation(`Unsupported resource ID '${resourceId}'; an ECS service is 'service/<cluster>/<service>'`);
  return { cluster: match[1]!, service: match[2]! };
}

/**
 * The simulated Application Auto Scaling account for ECS services: scalable targets, scaling policies and
 * scheduled actions. Scheduled actions fire in `tick`; target tracking moves desiredCount only when enabled.
 */
export class AutoscalingState {
  readonly targets = new Map<string, ScalableTarget>();
  private readonly targetKeyByArn = new Map<string, string>();
  /** Target key -> policy name -> policy. */
  readonly policies = new Map<string, Map<string, ScalingPolicy>>();
  readonly scheduledActions = new Map<string, Map<string, ScheduledAction>>();
  simulateTargetTracking = false;
  private sequence = 0;
  private lastTickSecond: number | undefined;

  constructor(private readonly options: AutoscalingStateOptions) {}

  private now(): number {
    return this.options.clock.now();
  }

  private uuid(seed: string): string {
    this.sequence += 1;
    const hex = createHash('sha256').update(`${seed}#${this.sequence}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  private checkTargetId(id: TargetId): { cluster: string; service: string } {
    if (id.serviceNamespace !== ECS_NAMESPACE) throw validation(`The sandbox scales only the ecs service namespace, got '${id.serviceNamespace}'`);
    if (id.scalableDimension !== ECS_DIMENSION) throw validation(`Unsupported scalable dimension '${id.scalableDimension}' for namespace ecs; use ${ECS_DIMENSION}`);
    return parseEcsResourceId(id.resourceId);
  }

  target(id: TargetId): ScalableTarget {
    const target = this.targets.get(targetKeyOf(id));
    if (!target) throw new AwsError('ObjectNotFoundException', `No scalable target registered for ${describeTarget(id)}`, 400);
    return target;
  }

  targetByArn(arn: string): ScalableTarget | undefined {
    const key = this.targetKeyByArn.get(arn);
    return key === undefined ? undefined : this.targets.get(key);
  }

  /**
   * RegisterScalableTarget: creates, or updates only the fields given (AWS's upsert). Tags apply only when the
   * target is created; later ones are ignored (AWS: "To tag an existing scalable target, use TagResource").
   */
  registerTarget(id: TargetId, fields: { minCapacity?: number; maxCapacity?: number; roleArn?: string; suspended?: Partial<SuspendedState>; tags?: Map<string, string> }): ScalableTarget {
    const { cluster, service } = this.checkTargetId(id);
    if (!this.options.ecs()?.serviceExists(cluster, service)) throw validation(`ECS service doesn't exist: ${id.resourceId}`);
    const key = targetKeyOf(id);
    const existing = this.targets.get(key);
    if (!existing && (fields.minCapacity === undefined || fields.maxCapacity === undefined)) {
      throw validation('MinCapacity and MaxCapacity are required when registering a new scalable target');
    }
    const minCapacity = fields.minCapacity ?? existing!.minCapacity;
    const maxCapacity = fields.maxCapacity ?? existing!.maxCapacity;
    if (minCapacity > maxCapacity) throw validation(`Minimum capacity (${minCapacity}) cannot be greater than maximum capacity (${maxCapacity})`);
    const target: ScalableTarget = existing ?? {
      ...id,
      key,
      arn: `arn:aws:application-autoscaling:${this.options.region}:${this.options.accountId}:scalable-target/${this.uuid(key).replaceAll('-', '').slice(0, 28)}`,
      cluster,
      service,
      minCapacity,
      maxCapacity,
      roleArn: `arn:aws:iam::${this.options.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      createdAt: this.now(),
      suspended: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
      tags: new Map(fields.tags ?? []),
    };
    target.minCapacity = minCapacity;
    target.maxCapacity = maxCapacity;
    if (fields.roleArn !== undefined) target.roleArn = fields.roleArn;
    target.suspended = { ...target.suspended, ...fields.suspended };
    this.targets.set(key, target);
    this.targetKeyByArn.set(target.arn, key);
    this.clampCapacity(target);
    return target;
  }

  deregisterTarget(id: TargetId): void {
    const target = this.target(id);
    this.targets.delete(target.key);
    this.targetKeyByArn.delete(target.arn);
    this.policies.delete(target.key);
    this.scheduledActions.delete(target.key);
  }

  putPolicy(id: TargetId, name: string, policyType: ScalingPolicy['policyType'], config: { targetTracking?: TargetTrackingConfig; stepScaling?: Record<string, unknown> }): ScalingPolicy {
    const target = this.target(id);
    const byName = this.policies.get(target.key) ?? new Map<string, ScalingPolicy>();
    const existing = byName.get(name);
    const policyId = existing?.arn.split(':')[6] ?? this.uuid(`${target.key}|${name}`);
    const arn = existing?.arn ?? `arn:aws:autoscaling:${this.options.region}:${this.options.accountId}:scalingPolicy:${policyId}:resource/ecs/${target.resourceId}:policyName/${name}`;
    const alarms =
      policyType === 'TargetTrackingScaling'
        ? (existing?.alarms.length ? existing.alarms : this.targetTrackingAlarms(target, policyId))
        : [];
    const policy: ScalingPolicy = {
      arn,
      name,
      targetKey: target.key,
      policyType,
      ...(config.targetTracking ? { targetTracking: config.targetTracking } : {}),
      ...(config.stepScaling ? { stepScaling: config.stepScaling } : {}),
      alarms,
      createdAt: existing?.createdAt ?? this.now(),
      lastEvaluatedAt: this.now(),
    };
    byName.set(name, policy);
    this.policies.set(target.key, byName);
    return policy;
  }

  /** The high and low alarms AWS creates for a target tracking policy (named, not simulated as alarms). */
  private targetTrackingAlarms(target: ScalableTarget, policyId: string): ScalingPolicy['alarms'] {
    return ['AlarmHigh', 'AlarmLow'].map((kind) => {
      const name = `TargetTracking-${target.resourceId}-${kind}-${this.uuid(`${policyId}|${kind}`)}`;
      return { AlarmName: name, AlarmARN: `arn:aws:cloudwatch:${this.options.region}:${this.options.accountId}:alarm:${name}` };
    });
  }

  deletePolicy(id: TargetId, name: string): void {
    const removed = this.policies.get(targetKeyOf(id))?.delete(name);
    if (!removed) throw new AwsError('ObjectNotFoundException', `No scaling policy found for ${describeTarget(id)}, policy name: ${name}`, 400);
  }

  putScheduledAction(id: TargetId, action: Omit<ScheduledAction, 'arn' | 'targetKey' | 'createdAt' | 'lastEvaluatedAt'>): ScheduledAction {
    const target = this.target(id);
    const byName = this.scheduledActions.get(target.key) ?? new Map<string, ScheduledAction>();
    const existing = byName.get(action.name);
    const scheduled: ScheduledAction = {
      ...action,
      arn:
        existing?.arn ??
        `arn:aws:autoscaling:${this.options.region}:${this.options.accountId}:scheduledAction:${this.uuid(`${target.key}|${action.name}`)}:resource/ecs/${target.resourceId}:scheduledActionName/${action.name}`,
      targetKey: target.key,
      createdAt: existing?.createdAt ?? this.now(),
      lastEvaluatedAt: this.now(),
    };
    byName.set(action.name, scheduled);
    this.scheduledActions.set(target.key, byName);
    return scheduled;
  }

  deleteScheduledAction(id: TargetId, name: string): void {
    const removed = this.scheduledActions.get(targetKeyOf(id))?.delete(name);
    if (!removed) throw new AwsError('ObjectNotFoundException', `No scheduled action found for ${describeTarget(id)}, scheduled action name: ${name}`, 400);
  }

  // ---- simulation ----

  /** Schedules have minute resolution; evaluating once per simulated second keeps per-request ticks cheap. */
  tick(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.lastTickSecond) return;
    this.lastTickSecond = second;
    for (const [key, actions] of this.scheduledActions) {
      const target = this.targets.get(key)!;
      for (const action of actions.values()) this.runScheduledAction(target, action, now);
    }
    if (!this.simulateTargetTracking) return;
    for (const [key, policies] of this.policies) {
      const target = this.targets.get(key)!;
      for (const policy of policies.values()) this.runTargetTracking(target, policy, now);
    }
  }

  private runScheduledAction(target: ScalableTarget, action: ScheduledAction, now: number): void {
    const after = Math.max(action.lastEvaluatedAt, action.startTime ?? Number.NEGATIVE_INFINITY);
    const upTo = Math.min(now, action.endTime ?? Number.POSITIVE_INFINITY);
    action.lastEvaluatedAt = now;
    if (target.suspended.ScheduledScalingSuspended) return;
    const fired = lastFiring(action.parsed, after, upTo, action.startTime ?? action.createdAt, action.timezone ?? 'UTC');
    if (fired === undefined) return;
    if (action.minCapacity !== undefined) target.minCapacity = action.minCapacity;
    if (action.maxCapacity !== undefined) target.maxCapacity = action.maxCapacity;
    if (target.minCapacity > target.maxCapacity) target.maxCapacity = target.minCapacity;
    this.clampCapacity(target);
  }

  /** Only the predefined ECS CPU and memory metrics are simulated; other metrics leave the count alone. */
  private runTargetTracking(target: ScalableTarget, policy: ScalingPolicy, now: number): void {
    const config = policy.targetTracking;
    if (!config || now - policy.lastEvaluatedAt < TARGET_TRACKING_PERIOD_MS) return;
    policy.lastEvaluatedAt = now;
    const metric = config.PredefinedMetricSpecification?.PredefinedMetricType;
    const utilization = this.options.ecs()?.serviceUtilization(target.cluster, target.service);
    if (!utilization || utilization.runningCount === 0) return;
    const value = metric === 'ECSServiceAverageCPUUtilization' ? utilization.cpu : metric === 'ECSServiceAverageMemoryUtilization' ? utilization.memory : undefined;
    if (value === undefined) return;
    const current = desiredCountOf(this.options.ecs(), target) ?? utilization.runningCount;
    const wanted = clamp(Math.ceil((current * value) / config.TargetValue), target.minCapacity, target.maxCapacity);
    if (wanted > current && !target.suspended.DynamicScalingOutSuspended && cooledDown(policy.lastScaleOutAt, config.ScaleOutCooldown, now)) {
      policy.lastScaleOutAt = now;
      this.options.ecs()?.setServiceDesiredCount(target.cluster, target.service, wanted);
    } else if (wanted < current && !config.DisableScaleIn && !target.suspended.DynamicScalingInSuspended && cooledDown(policy.lastScaleInAt, config.ScaleInCooldown, now)) {
      policy.lastScaleInAt = now;
      this.options.ecs()?.setServiceDesiredCount(target.cluster, target.service, wanted);
    }
  }

  /** Moves the service's desiredCount into [min, max], as AWS does on registration and scheduled actions. */
  private clampCapacity(target: ScalableTarget): void {
    const ecs = this.options.ecs();
    const current = desiredCountOf(ecs, target);
    if (current === undefined) return;
    const bounded = clamp(current, target.minCapacity, target.maxCapacity);
    if (bounded !== current) ecs!.setServiceDesiredCount(target.cluster, target.service, bounded);
  }

  snapshot(): unknown {
    return {
      simulateTargetTracking: this.simulateTargetTracking,
      scalableTargets: [...this.targets.values()].map((t) => ({
        resourceId: t.resourceId,
        minCapacity: t.minCapacity,
        maxCapacity: t.maxCapacity,
        suspended: t.suspended,
        policies: [...(this.policies.get(t.key)?.values() ?? [])].map((p) => ({ name: p.name, type: p.policyType })),
        scheduledActions: [...(this.scheduledActions.get(t.key)?.values() ?? [])].map((a) => ({ name: a.name, schedule: a.schedule })),
      })),
    };
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * Clamping reads the service's desiredCount, never its running count: the running count lags behind, and
 * clamping from it would lower a service that is still starting its tasks.
 */
function desiredCountOf(ecs: EcsView | undefined, target: ScalableTarget): number | undefined {
  return ecs?.serviceDesiredCount(target.cluster, target.service);
}

function cooledDown(last: number | undefined, cooldownSeconds: number | undefined, now: number): boolean {
  return last === undefined || now - last >= (cooldownSeconds ?? DEFAULT_ECS_COOLDOWN_SECONDS) * 1000;
}

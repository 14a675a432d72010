/**
 * Progressive delivery for Canary and BlueGreen services (EXTERNAL deployment controller): a pure state machine
 * over task sets, listener rule weights and target health. See docs/rollouts.md.
 */
import { createHash } from 'node:crypto';
import type { ObservedRule, ObservedService, ObservedTargetHealth } from '../observe/types.js';
import type { ServiceManifest } from '../manifest/schema.js';
import { blueGreenStrategy } from './bluegreen.js';
import { canaryStrategy } from './canary.js';
import type { AnalysisRunView, RolloutObservation, RolloutTarget, TargetGroupHealth, TaskSetView } from './types.js';

export { stepRollout } from './machine.js';
export { decodeRecord, encodeRecord, fingerprint, formatRequest, parseRequest, readRecordTag, describeRejected } from './state-tags.js';
export type { RequestVerb } from './state-tags.js';
export { REQUEST_TAG, ROLLOUT_TAG } from './types.js';
export type {
  AnalysisPhase,
  AnalysisRunView,
  RolloutAction,
  RolloutEvent,
  RolloutObservation,
  RolloutOutcome,
  RolloutPhase,
  RolloutRecord,
  RolloutStatus,
  RolloutTarget,
  StartAnalysisInput,
  StepInput,
  StepResult,
  SubPhase,
} from './types.js';

/**
 * The version's identity, written as the task set's externalId: a hash of everything that makes a task set differ
 * (the normalized task definition, the container and port behind the load balancer, launch and network settings).
 */
export function versionHash(parts: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface ResolveInput {
  manifest: ServiceManifest;
  serviceArn: string;
  /** `cluster/service`. */
  key: string;
  /** Target group name or ARN to ARN; undefined when it does not exist. */
  targetGroupArn: (ref: string) => string | undefined;
  version: RolloutTarget['version'];
}

/** The manifest's Canary or BlueGreen rollout, resolved for the state machine. Throws with a clear message. */
export function resolveRolloutTarget({ manifest, serviceArn, key, targetGroupArn, version }: ResolveInput): RolloutTarget {
  const { spec, metadata } = manifest;
  const rollout = spec.rollout;
  if (rollout?.strategy !== 'Canary' && rollout?.strategy !== 'BlueGreen') throw new Error(`${key}: not a Canary or BlueGreen service`);
  if (!spec.loadBalancer) throw new Error(`${key}: a ${rollout.strategy} rollout needs spec.loadBalancer (container and port)`);
  const resolve = (ref: string): string => {
    const arn = targetGroupArn(ref);
    if (!arn) throw new Error(`${key}: target group ${ref} does not exist`);
    return arn;
  };
  const strategy = rollout.strategy === 'Canary' ? canaryStrategy(rollout.canary, resolve) : blueGreenStrategy(rollout.blueGreen, resolve);
  return {
    cluster: spec.cluster,
    service: metadata.name,
    serviceArn,
    key,
    version,
    taskSet: {
      containerName: spec.loadBalancer.containerName,
      containerPort: spec.loadBalancer.containerPort,
      ...(spec.launchType ? { launchType: spec.launchType } : {}),
      ...(spec.capacityProviderStrategy ? { capacityProviderStrategy: spec.capacityProviderStrategy } : {}),
      ...(spec.platformVersion ? { platformVersion: spec.platformVersion } : {}),
      ...(spec.networkConfiguration ? { networkConfiguration: spec.networkConfiguration } : {}),
    },
    strategy,
    operator: { ...rollout.operator },
  };
}

/** Counts DescribeTargetHealth states; `unused`, `unavailable` and the like count as `other`. */
export function summarizeHealth(targets: readonly ObservedTargetHealth[]): TargetGroupHealth {
  const health: TargetGroupHealth = { healthy: 0, initial: 0, unhealthy: 0, draining: 0, other: 0 };
  for (const target of targets) {
    if (target.state === 'healthy') health.healthy++;
    else if (target.state === 'initial') health.initial++;
    else if (target.state === 'unhealthy' || target.state === 'unhealthy.draining') health.unhealthy++;
    else if (target.state === 'draining') health.draining++;
    else health.other++;
  }
  return health;
}

function taskSetView(set: ObservedService['taskSets'][number]): TaskSetView {
  const targetGroupArn = set.loadBalancers.map((lb) => lb.targetGroupArn).find((arn): arn is string => typeof arn === 'string');
  return {
    id: set.id,
    arn: set.taskSetArn,
    status: set.status,
    ...(set.externalId ? { externalId: set.externalId } : {}),
    ...(targetGroupArn ? { targetGroupArn } : {}),
    taskDefinition: set.taskDefinition,
    scalePercent: set.scale?.value ?? 0,
    computedDesiredCount: set.computedDesiredCount,
    runningCount: set.runningCount,
    pendingCount: set.pendingCount,
  };
}

/** Builds the machine's observation from the observed-state cache (rules and health keyed by ARN). */
export function observeRolloutState(input: {
  service: ObservedService;
  rules: Readonly<Record<string, ObservedRule>>;
  targetHealth: Readonly<Record<string, readonly ObservedTargetHealth[]>>;
  analysis?: Readonly<Record<string, AnalysisRunView>>;
}): RolloutObservation {
  const taskSets = input.service.taskSets.map(taskSetView);
  const groups = new Set(taskSets.map((set) => set.targetGroupArn).filter((arn): arn is string => arn !== undefined));
  for (const rule of Object.values(input.rules)) for (const group of rule.forward) groups.add(group.targetGroupArn);
  return {
    desiredCount: input.service.desiredCount,
    taskSets,
    rules: Object.fromEntries(Object.entries(input.rules).map(([arn, rule]) => [arn, { arn: rule.arn, forward: rule.forward, actions: rule.actions }])),
    health: Object.fromEntries([...groups].map((arn) => [arn, summarizeHealth(input.targetHealth[arn] ?? [])])),
    tags: input.service.tags,
    analysis: input.analysis ?? {},
  };
}

/**
 * What one evaluation of the state machine works with, the action builders, and the one traffic move every strategy
 * is built from: scale up, gate, shift, verify, scale down, in that order.
 */
import type { AnalysisRef } from '../manifest/schema.js';
import { hasHealthyTargets, NO_HEALTH, taskSetReady } from './gates.js';
import type { Gate } from './gates.js';
import { modifyRuleInput, percentOf, readsBack, split } from './traffic.js';
import type {
  AbortReason,
  RolloutAction,
  RolloutObservation,
  RolloutPhase,
  RolloutRecord,
  RolloutTarget,
  SubPhase,
  TargetGroupHealth,
  TaskSetView,
} from './types.js';
import { ROLLOUT_TAG } from './types.js';

/** How often to look again while waiting on AWS (tasks starting, health checks, rule propagation). */
export const POLL_MS = 5_000;

/** What every evaluation sees; a Ctx adds the rollout in flight. */
export interface Scope {
  target: RolloutTarget;
  obs: RolloutObservation;
  nowSec: number;
}

export interface Ctx extends Scope {
  record: RolloutRecord;
  /** Actions of steps completed in this pass that must still be sent (analysis starts and stops). */
  carry: RolloutAction[];
  /** Called by a waiting step that a promote would release; true when a promote was pending (it is now consumed). */
  takePromote: () => boolean;
}

export type StageResult =
  | {
      kind: 'wait';
      phase: RolloutPhase;
      sub: SubPhase;
      actions: RolloutAction[];
      message: string;
      requeueAfterMs: number | undefined;
      /** Waiting on AWS to make progress: counts against progressDeadlineSeconds. */
      gated: boolean;
    }
  | { kind: 'done'; message: string }
  | { kind: 'abort'; reason: AbortReason; message: string };

export function wait(
  phase: RolloutPhase,
  sub: SubPhase,
  message: string,
  options: { actions?: RolloutAction[]; requeueAfterMs?: number | undefined; gated?: boolean } = {},
): StageResult {
  return {
    kind: 'wait',
    phase,
    sub,
    message,
    actions: options.actions ?? [],
    requeueAfterMs: 'requeueAfterMs' in options ? options.requeueAfterMs : POLL_MS,
    gated: options.gated ?? false,
  };
}

/* ------------------------------------------------------------------ the service's task sets */

export function liveSets(obs: RolloutObservation): TaskSetView[] {
  return obs.taskSets.filter((set) => set.status !== 'DRAINING');
}

export function primarySet(obs: RolloutObservation): TaskSetView | undefined {
  return obs.taskSets.find((set) => set.status === 'PRIMARY');
}

/** The live, non-primary task set running `hash`. */
export function candidateSet(obs: RolloutObservation, hash: string): TaskSetView | undefined {
  return liveSets(obs).find((set) => set.status !== 'PRIMARY' && set.externalId === hash);
}

export function healthOf(obs: RolloutObservation, targetGroupArn: string | undefined): TargetGroupHealth {
  return (targetGroupArn && obs.health[targetGroupArn]) || NO_HEALTH;
}

/** The pair's group the stable version is not on: where the next version goes. */
export function otherGroup(target: RolloutTarget, stableTg: string | undefined): string {
  const [first, second] = target.strategy.traffic.targetGroups;
  return stableTg === first ? second : first;
}

export interface Versions {
  stable: TaskSetView | undefined;
  stableTg: string;
  canary: TaskSetView | undefined;
  canaryTg: string;
}

export function versions(ctx: Ctx): Versions {
  const stable = primarySet(ctx.obs);
  const canary = candidateSet(ctx.obs, ctx.record.hash);
  if (stable?.targetGroupArn) return { stable, stableTg: stable.targetGroupArn, canary, canaryTg: canary?.targetGroupArn ?? otherGroup(ctx.target, stable.targetGroupArn) };
  const canaryTg = canary?.targetGroupArn ?? ctx.target.strategy.traffic.targetGroups[1];
  return { stable, stableTg: otherGroup(ctx.target, canaryTg), canary, canaryTg };
}

/* ------------------------------------------------------------------ actions */

function ecsBase(target: RolloutTarget) {
  return { cluster: target.cluster, service: target.service };
}

export function createTaskSet(target: RolloutTarget, targetGroupArn: string, scale: number, clientToken: string, reason: string): RolloutAction {
  const t = target.taskSet;
  return {
    kind: 'CreateTaskSet',
    api: 'ecs',
    reason,
    resourceKey: target.key,
    input: {
      ...ecsBase(target),
      taskDefinition: target.version.taskDefinition,
      externalId: target.version.hash,
      loadBalancers: [{ targetGroupArn, containerName: t.containerName, containerPort: t.containerPort }],
      ...(t.launchType ? { launchType: t.launchType } : {}),
      ...(t.capacityProviderStrategy ? { capacityProviderStrategy: t.capacityProviderStrategy } : {}),
      ...(t.platformVersion ? { platformVersion: t.platformVersion } : {}),
      ...(t.networkConfiguration ? { networkConfiguration: t.networkConfiguration } : {}),
      scale: { unit: 'PERCENT', value: scale },
      clientToken,
    },
  };
}

export function scaleTaskSet(target: RolloutTarget, set: TaskSetView, scale: number, reason: string): RolloutAction {
  return { kind: 'UpdateTaskSet', api: 'ecs', reason, resourceKey: target.key, input: { ...ecsBase(target), taskSet: set.arn, scale: { unit: 'PERCENT', value: scale } } };
}

export function makePrimary(target: RolloutTarget, set: TaskSetView, reason: string): RolloutAction {
  return { kind: 'UpdateServicePrimaryTaskSet', api: 'ecs', reason, resourceKey: target.key, input: { ...ecsBase(target), primaryTaskSet: set.arn } };
}

export function deleteTaskSet(target: RolloutTarget, set: TaskSetView, reason: string): RolloutAction {
  return { kind: 'DeleteTaskSet', api: 'ecs', reason, resourceKey: target.key, input: { ...ecsBase(target), taskSet: set.arn } };
}

export function tagRecord(target: RolloutTarget, value: string, reason: string): RolloutAction {
  return { kind: 'TagResource', api: 'ecs', reason, resourceKey: target.key, input: { resourceArn: target.serviceArn, tags: [{ key: ROLLOUT_TAG, value }] } };
}

export function untagRecord(target: RolloutTarget, reason: string): RolloutAction {
  return { kind: 'UntagResource', api: 'ecs', reason, resourceKey: target.key, input: { resourceArn: target.serviceArn, tagKeys: [ROLLOUT_TAG] } };
}

/** Run ids are derived, not stored: the same step of the same attempt always names the same run. */
export function runId(record: RolloutRecord, label: string): string {
  return `${record.hash.slice(0, 12)}-${record.attempt}-${label}`;
}

export function runPrefix(record: RolloutRecord): string {
  return `${record.hash.slice(0, 12)}-${record.attempt}-`;
}

export function startAnalysis(ctx: Ctx, id: string, ref: AnalysisRef, background: boolean): RolloutAction {
  return {
    kind: 'StartAnalysis',
    api: 'analysis',
    reason: background ? 'background analysis for the rollout' : 'analysis step',
    resourceKey: ctx.target.key,
    input: { runId: id, templates: [...ref.templates], args: [...(ref.args ?? [])], background },
  };
}

export function stopAnalysis(ctx: Ctx, id: string, reason: string): RolloutAction {
  return { kind: 'StopAnalysis', api: 'analysis', reason, resourceKey: ctx.target.key, input: { runId: id } };
}

/** StopAnalysis for every run of this rollout attempt that is still running. */
export function stopRunningAnalysis(ctx: Ctx, reason: string): RolloutAction[] {
  const prefix = runPrefix(ctx.record);
  return Object.entries(ctx.obs.analysis)
    .filter(([id, run]) => id.startsWith(prefix) && run.phase === 'Running')
    .map(([id]) => stopAnalysis(ctx, id, reason));
}

/* ------------------------------------------------------------------ traffic moves */

function gated(phase: RolloutPhase, sub: SubPhase, message: string, actions: RolloutAction[] = []): StageResult {
  return wait(phase, sub, message, { actions, gated: true, requeueAfterMs: POLL_MS });
}

function blocked(phase: RolloutPhase, gate: Gate, what: string): StageResult | undefined {
  return gate.ok ? undefined : gated(phase, 'WaitingForHealthy', `${what}: ${gate.reason}`);
}

/**
 * Brings the canary to `scale` percent and `weight` percent of the production rule. Order: scale up, wait until the
 * canary is RUNNING and healthy, shift (only then may its weight grow), verify the rule reads back, and only after
 * that scale down. Every action aims at an absolute target, so repeating it after a crash changes nothing twice.
 */
export function moveTraffic(ctx: Ctx, phase: RolloutPhase, weight: number, scale: number): StageResult {
  const { target, obs, record } = ctx;
  const v = versions(ctx);
  if (!v.canary) {
    const token = `${record.hash.slice(0, 16)}-${record.attempt}-${record.startedAt}`;
    return gated(phase, 'Creating', `creating the task set for ${record.hash}`, [createTaskSet(target, v.canaryTg, scale, token, `new version ${record.hash}`)]);
  }
  if (v.canary.scalePercent < scale) {
    return gated(phase, 'Scaling', `scaling the new task set to ${scale}%`, [scaleTaskSet(target, v.canary, scale, `scale up to ${scale}% before traffic`)]);
  }
  if (v.stableTg === v.canaryTg) return wait(phase, 'WaitingForHealthy', `the stable and new task sets share target group ${v.stableTg}: fix by hand, then retry`);
  const rule = obs.rules[target.strategy.traffic.listenerRuleArn];
  if (!rule) return gated(phase, 'ShiftingTraffic', 'listener rule not observed');
  const wanted = split(v.stableTg, v.canaryTg, weight);
  if (!readsBack(rule, wanted)) {
    const current = percentOf(rule, v.canaryTg);
    const wait =
      weight > current
        ? blocked(phase, taskSetReady(v.canary, healthOf(obs, v.canaryTg)), `before ${weight}% to the new version`)
        : blocked(phase, hasHealthyTargets(healthOf(obs, v.stableTg)), `before moving traffic back to the stable version`);
    if (wait) return wait;
    return gated(phase, 'ShiftingTraffic', `setting ${weight}% on the new version (from ${current}%)`, [
      { kind: 'ModifyRule', api: 'elbv2', reason: `canary weight ${weight}%`, resourceKey: target.key, input: modifyRuleInput(rule, wanted) },
    ]);
  }
  if (v.canary.scalePercent > scale) {
    return gated(phase, 'Scaling', `scaling the new task set down to ${scale}%`, [scaleTaskSet(target, v.canary, scale, `scale down to ${scale}% after traffic`)]);
  }
  if (scale > 0) {
    const wait = blocked(phase, taskSetReady(v.canary, healthOf(obs, v.canaryTg)), 'new task set');
    if (wait) return wait;
  }
  return { kind: 'done', message: `${weight}% on the new version at ${scale}% scale` };
}

/**
 * Points a rule entirely at one group (the test rule at the preview, any rule back at stable). `ready` is the gate
 * for the group receiving the traffic.
 */
export function pointRule(ctx: Scope, phase: RolloutPhase, ruleArn: string, toTg: string, fromTg: string, ready: Gate): StageResult | undefined {
  const rule = ctx.obs.rules[ruleArn];
  if (!rule) return gated(phase, 'ShiftingTraffic', `listener rule ${ruleArn} not observed`);
  const wanted = split(fromTg, toTg, 100);
  if (readsBack(rule, wanted)) return undefined;
  const wait = blocked(phase, ready, `before pointing ${ruleArn} at ${toTg}`);
  if (wait) return wait;
  return gated(phase, 'ShiftingTraffic', `pointing ${ruleArn} at ${toTg}`, [
    { kind: 'ModifyRule', api: 'elbv2', reason: `all traffic of ${ruleArn} to ${toTg}`, resourceKey: ctx.target.key, input: modifyRuleInput(rule, wanted) },
  ]);
}

/**
 * Sends every rule back to the stable (primary) version, then removes all other task sets once `removeAtSec` has
 * passed. Used by abort, supersede and the cleanup of strays. Undefined once nothing is left to do.
 */
export function returnToStable(
  scope: Scope,
  phases: { shifting: RolloutPhase; removing: RolloutPhase },
  options: { removeAtSec: number; stop: RolloutAction[] },
): StageResult | undefined {
  const { target, obs } = scope;
  const stable = primarySet(obs);
  if (!stable?.targetGroupArn) return wait(phases.shifting, 'WaitingForHealthy', 'no primary (stable) task set to return traffic to');
  const stableTg = stable.targetGroupArn;
  const stableReady = hasHealthyTargets(healthOf(obs, stableTg));
  for (const ruleArn of [target.strategy.traffic.listenerRuleArn, target.strategy.traffic.testListenerRuleArn]) {
    if (!ruleArn) continue;
    const moved = pointRule(scope, phases.shifting, ruleArn, stableTg, otherGroup(target, stableTg), stableReady);
    if (moved) return withActions(moved, options.stop);
  }
  const others = liveSets(obs).filter((set) => set.status !== 'PRIMARY');
  if (others.length === 0) {
    return options.stop.length > 0 ? wait(phases.removing, 'ScalingDown', 'stopping analysis', { actions: options.stop }) : undefined;
  }
  const remaining = options.removeAtSec - scope.nowSec;
  if (remaining > 0) {
    return wait(phases.removing, 'ScaleDownDelay', `removing the new task set in ${remaining}s`, { actions: options.stop, requeueAfterMs: remaining * 1000 });
  }
  return wait(phases.removing, 'ScalingDown', `removing ${others.length} task set(s)`, {
    actions: [...options.stop, ...others.map((set) => deleteTaskSet(target, set, 'traffic is back on the stable version'))],
  });
}

export function withActions(result: StageResult, extra: RolloutAction[]): StageResult {
  return result.kind === 'wait' && extra.length > 0 ? { ...result, actions: [...extra, ...result.actions] } : result;
}

export function summary(set: TaskSetView | undefined, obs: RolloutObservation) {
  if (!set) return undefined;
  return {
    ...(set.externalId ? { hash: set.externalId } : {}),
    taskSetArn: set.arn,
    ...(set.targetGroupArn ? { targetGroupArn: set.targetGroupArn } : {}),
    scalePercent: set.scalePercent,
    desired: set.computedDesiredCount,
    running: set.runningCount,
    healthyTargets: healthOf(obs, set.targetGroupArn).healthy,
  };
}

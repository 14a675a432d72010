/**
 * Canary: steps move a share of production traffic to the new task set, which by default runs the same share of
 * the service's tasks (setCanaryScale overrides that until matchTrafficWeight). The stable task set stays at full
 * size until the new version is primary, so an abort has somewhere to go.
 */
import { parseDuration } from '../manifest/duration.js';
import type { CanaryConfig } from '../manifest/schema.js';
import { moveTraffic } from './context.js';
import type { Ctx, StageResult } from './context.js';
import { DEFAULT_DELAY_SECONDS, DEFAULT_PROGRESS_DEADLINE_SECONDS } from './defaults.js';
import type { ResolvedStep, RolloutStrategySpec } from './types.js';

export function canaryStrategy(config: CanaryConfig, resolveTargetGroup: (ref: string) => string): RolloutStrategySpec {
  const steps = config.steps.map((step): ResolvedStep => {
    if (step.setWeight !== undefined) return { type: 'setWeight', weight: step.setWeight };
    if (step.pause !== undefined) {
      return step.pause.duration === undefined ? { type: 'pause' } : { type: 'pause', seconds: parseDuration(step.pause.duration) };
    }
    if (step.analysis !== undefined) return { type: 'analysis', analysis: step.analysis };
    const scale = step.setCanaryScale;
    if (scale?.weight !== undefined) return { type: 'setCanaryScale', scale: { weight: scale.weight } };
    if (scale?.replicas !== undefined) return { type: 'setCanaryScale', scale: { replicas: scale.replicas } };
    return { type: 'setCanaryScale', scale: { matchTrafficWeight: true } };
  });
  const stable = resolveTargetGroup(config.stableTargetGroup);
  const canary = resolveTargetGroup(config.canaryTargetGroup);
  if (stable === canary) throw new Error('stableTargetGroup and canaryTargetGroup must be different target groups');
  const background = config.analysis;
  return {
    kind: 'Canary',
    traffic: { targetGroups: [stable, canary], listenerRuleArn: config.listenerRule },
    steps,
    ...(background
      ? { backgroundAnalysis: { templates: background.templates, ...(background.args ? { args: background.args } : {}), startingStep: background.startingStep ?? 0 } }
      : {}),
    progressDeadlineSeconds: config.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
    scaleDownDelaySeconds: config.scaleDownDelaySeconds ?? DEFAULT_DELAY_SECONDS,
    abortScaleDownDelaySeconds: config.abortScaleDownDelaySeconds ?? DEFAULT_DELAY_SECONDS,
  };
}

/** The production weight in force during step `index`: the last setWeight at or before it. */
export function weightAt(steps: readonly ResolvedStep[], index: number): number {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const step = steps[i];
    if (step?.type === 'setWeight') return step.weight;
  }
  return 0;
}

/** The new task set's scale percent during step `index`: follows the weight unless a setCanaryScale says otherwise. */
export function scaleAt(steps: readonly ResolvedStep[], index: number, desiredCount: number): number {
  const weight = weightAt(steps, index);
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const step = steps[i];
    if (step?.type !== 'setCanaryScale') continue;
    const scale = step.scale;
    if ('weight' in scale) return scale.weight;
    if ('replicas' in scale) return desiredCount > 0 ? Math.min(100, Math.ceil((100 * scale.replicas) / desiredCount)) : 0;
    return weight;
  }
  return weight;
}

/** setWeight and setCanaryScale: both are one traffic move towards the weight and scale in force at the step. */
export function evaluateCanaryStep(ctx: Ctx, index: number): StageResult {
  const steps = ctx.target.strategy.steps;
  return moveTraffic(ctx, 'Progressing', weightAt(steps, index), scaleAt(steps, index, ctx.obs.desiredCount));
}

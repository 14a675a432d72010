/**
 * Blue-green: the new task set comes up at full size behind the preview target group, the test rule points at it,
 * pre-promotion analysis and the promotion wait run as steps; promotion switches the production rule in one move,
 * post-promotion analysis runs with the old task set still at full size (a failure switches back), and only then
 * does the old task set go, after scaleDownDelaySeconds.
 */
import type { BlueGreenConfig } from '../manifest/schema.js';
import { healthOf, moveTraffic, pointRule, versions } from './context.js';
import type { Ctx, StageResult } from './context.js';
import { DEFAULT_DELAY_SECONDS, DEFAULT_PROGRESS_DEADLINE_SECONDS } from './defaults.js';
import { taskSetReady } from './gates.js';
import type { ResolvedStep, RolloutStrategySpec } from './types.js';

export function blueGreenStrategy(config: BlueGreenConfig, resolveTargetGroup: (ref: string) => string): RolloutStrategySpec {
  const active = resolveTargetGroup(config.activeTargetGroup);
  const preview = resolveTargetGroup(config.previewTargetGroup);
  if (active === preview) throw new Error('activeTargetGroup and previewTargetGroup must be different target groups');
  const steps: ResolvedStep[] = [{ type: 'preview' }];
  if (config.prePromotionAnalysis) steps.push({ type: 'analysis', analysis: config.prePromotionAnalysis });
  if (config.autoPromotionEnabled === false) steps.push({ type: 'pause' });
  else if (config.autoPromotionSeconds !== undefined) steps.push({ type: 'pause', seconds: config.autoPromotionSeconds });
  return {
    kind: 'BlueGreen',
    traffic: {
      targetGroups: [active, preview],
      listenerRuleArn: config.productionListenerRule,
      ...(config.testListenerRule ? { testListenerRuleArn: config.testListenerRule } : {}),
    },
    steps,
    ...(config.postPromotionAnalysis ? { postPromotionAnalysis: config.postPromotionAnalysis } : {}),
    progressDeadlineSeconds: config.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
    scaleDownDelaySeconds: config.scaleDownDelaySeconds ?? DEFAULT_DELAY_SECONDS,
    abortScaleDownDelaySeconds: config.abortScaleDownDelaySeconds ?? DEFAULT_DELAY_SECONDS,
  };
}

/** The preview step: full size, healthy, no production traffic, and the test rule (if any) on the new version. */
export function evaluatePreview(ctx: Ctx): StageResult {
  const ready = moveTraffic(ctx, 'Progressing', 0, 100);
  if (ready.kind !== 'done') return ready;
  const testRule = ctx.target.strategy.traffic.testListenerRuleArn;
  if (testRule) {
    const v = versions(ctx);
    const moved = pointRule(ctx, 'Progressing', testRule, v.canaryTg, v.stableTg, taskSetReady(v.canary, healthOf(ctx.obs, v.canaryTg)));
    if (moved) return moved;
  }
  return { kind: 'done', message: 'preview is up and receives test traffic' };
}

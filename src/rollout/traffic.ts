/**
 * ALB weighted forward actions. The engine writes weights as percentages over exactly two target groups, so the
 * invariant is simple: the two weights are whole numbers 0-100 that add up to 100. ModifyRule replaces the rule's
 * whole action list, so the new list keeps every action the engine does not own (authenticate-oidc and friends,
 * their Order, the forward action's stickiness) and only replaces the forward action's target groups.
 */
import type { Action, ModifyRuleCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RuleView } from './types.js';

/** ELBv2 limits for one forward action. */
export const MAX_FORWARD_GROUPS = 5;
export const MAX_TARGET_GROUP_WEIGHT = 999;

export interface WeightSplit {
  stable: { targetGroupArn: string; weight: number };
  canary: { targetGroupArn: string; weight: number };
}

/** `canaryPercent` of traffic to the canary group, the rest to the stable group. */
export function split(stableTg: string, canaryTg: string, canaryPercent: number): WeightSplit {
  if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100) {
    throw new Error(`canary weight ${canaryPercent} must be a whole percent 0-100`);
  }
  if (stableTg === canaryTg) throw new Error(`stable and canary target groups must differ (both ${stableTg})`);
  return { stable: { targetGroupArn: stableTg, weight: 100 - canaryPercent }, canary: { targetGroupArn: canaryTg, weight: canaryPercent } };
}

/** The observed weight of a group (0 when the forward action does not list it). */
export function weightOf(rule: RuleView, targetGroupArn: string): number {
  return rule.forward.filter((group) => group.targetGroupArn === targetGroupArn).reduce((sum, group) => sum + group.weight, 0);
}

/** The share of traffic a group receives, in whole percent (weights need not add up to 100 when someone else wrote them). */
export function percentOf(rule: RuleView, targetGroupArn: string): number {
  const total = rule.forward.reduce((sum, group) => sum + group.weight, 0);
  return total === 0 ? 0 : Math.round((100 * weightOf(rule, targetGroupArn)) / total);
}

/** True when the rule reads back exactly the split: both weights as written, and no other group receiving traffic. */
export function readsBack(rule: RuleView, wanted: WeightSplit): boolean {
  const others = rule.forward.filter((g) => g.targetGroupArn !== wanted.stable.targetGroupArn && g.targetGroupArn !== wanted.canary.targetGroupArn);
  return (
    weightOf(rule, wanted.stable.targetGroupArn) === wanted.stable.weight &&
    weightOf(rule, wanted.canary.targetGroupArn) === wanted.canary.weight &&
    others.every((g) => g.weight === 0)
  );
}

/** Throws on a forward action ELBv2 would reject, or one that sends traffic nowhere. */
export function validateForward(groups: readonly { TargetGroupArn?: string; Weight?: number }[]): void {
  if (groups.length < 1 || groups.length > MAX_FORWARD_GROUPS) throw new Error(`a forward action takes 1-${MAX_FORWARD_GROUPS} target groups, got ${groups.length}`);
  const arns = new Set(groups.map((g) => g.TargetGroupArn));
  if (arns.size !== groups.length || arns.has(undefined) || arns.has('')) throw new Error('forward target groups must be distinct and named');
  for (const g of groups) {
    if (!Number.isInteger(g.Weight) || (g.Weight ?? -1) < 0 || (g.Weight ?? 0) > MAX_TARGET_GROUP_WEIGHT) {
      throw new Error(`weight ${g.Weight} of ${g.TargetGroupArn} must be a whole number 0-${MAX_TARGET_GROUP_WEIGHT}`);
    }
  }
  if (groups.every((g) => g.Weight === 0)) throw new Error('at least one target group needs a weight above 0');
}

/** ModifyRule input that sets the split and keeps the rule's other actions as they are. */
export function modifyRuleInput(rule: RuleView, wanted: WeightSplit): ModifyRuleCommandInput {
  const groups = [
    { TargetGroupArn: wanted.stable.targetGroupArn, Weight: wanted.stable.weight },
    { TargetGroupArn: wanted.canary.targetGroupArn, Weight: wanted.canary.weight },
  ];
  validateForward(groups);
  const existing = rule.actions as unknown as Action[];
  const forwardIndex = existing.findIndex((action) => action.Type === 'forward');
  const previous = forwardIndex >= 0 ? existing[forwardIndex] : undefined;
  const lastOrder = Math.max(0, ...existing.map((action) => action.Order ?? 0));
  // A forward action with ForwardConfig must not also name a single TargetGroupArn.
  const forward: Action = {
    Type: 'forward',
    ...(previous?.Order !== undefined ? { Order: previous.Order } : existing.length > 0 ? { Order: lastOrder + 1 } : {}),
    ForwardConfig: {
      TargetGroups: groups,
      ...(previous?.ForwardConfig?.TargetGroupStickinessConfig ? { TargetGroupStickinessConfig: previous.ForwardConfig.TargetGroupStickinessConfig } : {}),
    },
  };
  const actions = forwardIndex >= 0 ? existing.map((action, i) => (i === forwardIndex ? forward : action)) : [...existing, forward];
  return { RuleArn: rule.arn, Actions: actions };
}

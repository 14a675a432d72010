import { describe, expect, it } from 'vitest';
import { hasHealthyTargets, taskSetReady, weightsApplied } from '../../../src/rollout/gates.js';
import { modifyRuleInput, percentOf, readsBack, split, validateForward } from '../../../src/rollout/traffic.js';
import type { RuleView, TaskSetView } from '../../../src/rollout/types.js';

const A = 'arn:tg/a';
const B = 'arn:tg/b';

function rule(forward: [string, number][], actions: RuleView['actions'] = [{ Type: 'forward', Order: 2, ForwardConfig: { TargetGroups: [] } }]): RuleView {
  return { arn: 'arn:rule', forward: forward.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })), actions };
}

describe('weighted forward actions', () => {
  it('splits 100 between stable and canary', () => {
    expect(split(A, B, 30)).toEqual({ stable: { targetGroupArn: A, weight: 70 }, canary: { targetGroupArn: B, weight: 30 } });
    expect(() => split(A, B, 101)).toThrow(/0-100/);
    expect(() => split(A, B, 2.5)).toThrow(/whole percent/);
    expect(() => split(A, A, 10)).toThrow(/must differ/);
  });

  it('reads weights back exactly, and ignores groups with weight 0', () => {
    expect(readsBack(rule([[A, 70], [B, 30]]), split(A, B, 30))).toBe(true);
    expect(readsBack(rule([[A, 70], [B, 30], ['arn:tg/c', 0]]), split(A, B, 30))).toBe(true);
    expect(readsBack(rule([[A, 70], [B, 30], ['arn:tg/c', 1]]), split(A, B, 30))).toBe(false);
    expect(readsBack(rule([[A, 7], [B, 3]]), split(A, B, 30))).toBe(false);
    expect(readsBack(rule([[A, 100]]), split(A, B, 0))).toBe(true);
  });

  it('computes a group share when someone else wrote weights that do not add up to 100', () => {
    expect(percentOf(rule([[A, 1], [B, 1]]), B)).toBe(50);
    expect(percentOf(rule([[A, 0], [B, 0]]), B)).toBe(0);
    expect(percentOf(rule([[A, 999]]), B)).toBe(0);
  });

  it('keeps the actions it does not own, their order, and stickiness', () => {
    const input = modifyRuleInput(
      rule([[A, 100]], [
        { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { Issuer: 'https://idp' } },
        { Type: 'forward', Order: 2, TargetGroupArn: A, ForwardConfig: { TargetGroups: [{ TargetGroupArn: A }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } } },
      ]),
      split(A, B, 10),
    );
    expect(input).toEqual({
      RuleArn: 'arn:rule',
      Actions: [
        { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { Issuer: 'https://idp' } },
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: A, Weight: 90 }, { TargetGroupArn: B, Weight: 10 }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
          },
        },
      ],
    });
  });

  it('appends a forward action to a rule that has none', () => {
    const input = modifyRuleInput(rule([], [{ Type: 'fixed-response', Order: 1 }]), split(A, B, 0));
    expect(input.Actions?.[1]).toEqual({ Type: 'forward', Order: 2, ForwardConfig: { TargetGroups: [{ TargetGroupArn: A, Weight: 100 }, { TargetGroupArn: B, Weight: 0 }] } });
  });

  it.each([
    [[], /1-5 target groups/],
    [[1, 2, 3, 4, 5, 6].map((i) => ({ TargetGroupArn: `tg${i}`, Weight: 1 })), /1-5 target groups/],
    [[{ TargetGroupArn: A, Weight: 1 }, { TargetGroupArn: A, Weight: 1 }], /distinct/],
    [[{ TargetGroupArn: A, Weight: 1000 }], /0-999/],
    [[{ TargetGroupArn: A, Weight: -1 }], /0-999/],
    [[{ TargetGroupArn: A, Weight: 0 }, { TargetGroupArn: B, Weight: 0 }], /above 0/],
  ])('rejects forward action %#', (groups, error) => {
    expect(() => validateForward(groups)).toThrow(error);
  });
});

describe('gates', () => {
  const set = (over: Partial<TaskSetView> = {}): TaskSetView => ({ id: 'x', arn: 'arn:x', status: 'ACTIVE', taskDefinition: 'td', scalePercent: 50, computedDesiredCount: 2, runningCount: 2, pendingCount: 0, ...over });
  const health = (healthy: number, initial = 0) => ({ healthy, initial, unhealthy: 0, draining: 0, other: 0 });

  it.each([
    ['ready', set(), health(2), true, ''],
    ['missing', undefined, health(2), false, /does not exist/],
    ['draining', set({ status: 'DRAINING' }), health(2), false, /draining/],
    ['no tasks to run', set({ computedDesiredCount: 0, runningCount: 0 }), health(0), false, /no tasks/],
    ['tasks still starting', set({ runningCount: 1 }), health(1), false, /1\/2 tasks RUNNING/],
    ['targets in initial', set(), health(2, 1), false, /initial/],
    ['too few healthy', set(), health(1), false, /1\/2 targets healthy/],
  ])('taskSetReady: %s', (_name, ts, h, ok, reason) => {
    const gate = taskSetReady(ts, h);
    expect(gate.ok).toBe(ok);
    if (!gate.ok) expect(gate.reason).toMatch(reason);
  });

  it('hasHealthyTargets and weightsApplied', () => {
    expect(hasHealthyTargets(health(1)).ok).toBe(true);
    expect(hasHealthyTargets(undefined)).toEqual({ ok: false, reason: 'no healthy targets' });
    expect(weightsApplied(undefined, split(A, B, 10))).toEqual({ ok: false, reason: 'listener rule not observed' });
    expect(weightsApplied(rule([[A, 90], [B, 10]]), split(A, B, 10)).ok).toBe(true);
    expect(weightsApplied(rule([[A, 100], [B, 0]]), split(A, B, 10)).ok).toBe(false);
  });
});

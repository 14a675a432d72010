import { describe, expect, it } from 'vitest';
import { jitteredInterval, prunePlanFor, rolloutPending, selectOutOfSync } from '../../../src/controller/resync.js';
import { planPrune } from '../../../src/plan/index.js';
import type { DesiredService } from '../../../src/manifest/index.js';
import type { ObservedService, ObservedTaskSet } from '../../../src/observe/index.js';
import type { ServicePlan } from '../../../src/plan/index.js';
import { MANAGED_BY_TAG, planService } from '../../../src/plan/index.js';
import { FakeAws, RULE_ARN } from '../plan/fixtures.js';
import { desired } from './fixtures.js';

const PLAN = { revision: 'rev-1', instance: 'ecs-reconciler' };

/** An account where every given service was created from its manifest, so it is in sync. */
function accountWith(services: readonly DesiredService[]): FakeAws {
  const aws = new FakeAws();
  for (const service of services) aws.apply(planService(service.manifest, aws.state, PLAN).actions);
  return aws;
}

describe('selectOutOfSync', () => {
  const services = [desired('api'), desired('web'), desired('worker')];

  it('queues nothing when every service is in sync', () => {
    const aws = accountWith(services);
    const selection = selectOutOfSync(services, aws.state, PLAN);
    expect(selection.outOfSync).toEqual([]);
    expect([...selection.plans.values()].map((plan) => plan.outcome)).toEqual(['in-sync', 'in-sync', 'in-sync']);
  });

  it('queues only the services that differ: changed in git, changed in AWS, or missing', () => {
    const aws = accountWith(services);
    const drifted = aws.state.services['prod/worker']!;
    drifted.desiredCount = 1;
    drifted.settings = { ...drifted.settings, desiredCount: 1 };
    const edited = [desired('api', { desiredCount: 5 }), desired('web'), desired('worker'), desired('brand-new')];
    expect(selectOutOfSync(edited, aws.state, PLAN).outOfSync).toEqual(['prod/api', 'prod/brand-new', 'prod/worker']);
  });

  it('does not queue what it cannot fix (a conflict), but plans it for the status', () => {
    const aws = accountWith(services);
    delete aws.state.services['prod/web']!.tags[MANAGED_BY_TAG];
    const selection = selectOutOfSync(services, aws.state, PLAN);
    expect(selection.outOfSync).toEqual([]);
    expect(selection.plans.get('prod/web')?.outcome).toBe('conflict');
  });
});

describe('rolloutPending', () => {
  const canary = desired('shop', {
    rollout: { strategy: 'Canary', canary: { stableTargetGroup: 'checkout-blue', canaryTargetGroup: 'checkout-green', listenerRule: RULE_ARN, steps: [{ setWeight: 10 }] } },
  });
  const plan = (deferred: number): ServicePlan => ({
    key: canary.key,
    outcome: 'in-sync',
    actions: [],
    changes: [],
    messages: [],
    deferred: Array.from({ length: deferred }, () => ({ path: ['taskDefinition', 'image'], kind: 'changed' as const })),
  });
  const withTaskSets = (...statuses: string[]): ObservedService =>
    ({ taskSets: statuses.map((status, i) => ({ id: `ts-${i}`, status }) as ObservedTaskSet) }) as ObservedService;

  it.each([
    ['a new version not yet primary', plan(1), withTaskSets('PRIMARY'), true],
    ['two live versions (the old one not yet scaled down)', plan(0), withTaskSets('PRIMARY', 'ACTIVE'), true],
    ['no task set yet', plan(0), withTaskSets(), true],
    ['one version serving, the old one draining away', plan(0), withTaskSets('PRIMARY', 'DRAINING'), false],
    ['one version serving, nothing to ship', plan(0), withTaskSets('PRIMARY'), false],
  ])('a Canary service with %s: %s', (_case, servicePlan, observed, pending) => {
    expect(rolloutPending(canary, servicePlan, observed)).toBe(pending);
  });

  it('never holds for a Rolling service, whose deployments ECS drives', () => {
    expect(rolloutPending(desired('api'), plan(1), withTaskSets())).toBe(false);
  });
});

describe('prunePlanFor', () => {
  it('narrows an approved plan to one service', () => {
    const state = { ...accountWith([desired('a'), desired('b'), desired('c')]).state, clusterTags: { prod: {} } };
    const plan = planPrune({ desiredKeys: ['prod/a', 'prod/b'], state, instance: 'ecs-reconciler', now: 0, budget: { maxShare: 1 } });
    if (plan.outcome !== 'ok') throw new Error('expected an approved plan');
    expect(prunePlanFor(plan, 'prod/c').deleteKeys).toEqual(['prod/c']);
    expect(prunePlanFor(plan, 'prod/a').deleteKeys).toEqual([]);
  });
});

describe('jitteredInterval', () => {
  it.each([
    [0, 270_000],
    [0.5, 300_000],
    [1, 330_000],
  ])('random %d spreads 5 min to %d ms (+/-10%%)', (random, expected) => {
    expect(jitteredInterval(300_000, () => random)).toBeCloseTo(expected, 6);
  });
});

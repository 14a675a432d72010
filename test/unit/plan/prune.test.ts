import { describe, expect, it } from 'vitest';
import { planPrune } from '../../../src/plan/index.js';
import type { ObservedService } from '../../../src/observe/index.js';

function managed(name: string, extra: Partial<ObservedService> = {}): ObservedService {
  return {
    key: `prod/${name}`,
    clusterName: 'prod',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/prod/${name}`,
    status: 'ACTIVE',
    taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:1`,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentControllerType: 'ECS',
    settings: {},
    tags: { 'ecs-reconciler:managed-by': 'ecs-reconciler' },
    deployments: [],
    taskSets: [],
    ...extra,
  };
}

const ten = Array.from({ length: 10 }, (_, i) => managed(`svc-${i}`));
const keys = (n: number) => ten.slice(0, n).map((s) => s.key);
const cluster = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

describe('planPrune', () => {
  it('scales to 0, then deletes each managed service no manifest names', () => {
    const plan = planPrune(keys(9), ten);
    expect(plan.outcome).toBe('ok');
    expect(plan.deleteKeys).toEqual(['prod/svc-9']);
    expect(plan.actions.map((a) => [a.kind, a.input])).toEqual([
      ['UpdateService', { cluster, service: 'svc-9', desiredCount: 0 }],
      ['DeleteService', { cluster, service: 'svc-9' }],
    ]);
  });

  it('refuses when the desired set is empty, even when forced', () => {
    const plan = planPrune([], ten, { force: true });
    expect(plan).toMatchObject({ outcome: 'refused', actions: [] });
    expect(plan.outcome === 'refused' && plan.reason).toMatch(/names no service/);
  });

  it.each([
    [7, 'ok'],
    [6, 'refused'],
  ])('with %i of 10 kept (default share 30%%) the plan is %s', (kept, outcome) => {
    expect(planPrune(keys(kept), ten).outcome).toBe(outcome);
  });

  it('names the flag that overrides the share when it refuses', () => {
    const plan = planPrune(keys(1), ten);
    expect(plan.outcome === 'refused' && plan.reason).toBe('pruning would delete 9 of 10 managed services (90% > 30%); to confirm, run `ecs-reconciler apply --prune --force-prune`');
  });

  it('deletes beyond the share when forced', () => {
    const plan = planPrune(keys(1), ten, { force: true });
    expect(plan.outcome).toBe('ok');
    expect(plan.deleteKeys).toHaveLength(9);
  });

  it('leaves services already being deleted (DRAINING) alone', () => {
    const plan = planPrune(keys(9), [...ten.slice(0, 9), managed('svc-9', { status: 'DRAINING' })]);
    expect(plan).toMatchObject({ outcome: 'ok', deleteKeys: [], actions: [] });
  });

  it('honours a configured share', () => {
    expect(planPrune(keys(5), ten, { maxDeleteShare: 0.5 }).outcome).toBe('ok');
    expect(() => planPrune(keys(5), ten, { maxDeleteShare: 2 })).toThrow(/maxDeleteShare/);
  });

  it('deregisters the scalable target first, skips the scale-down at 0, and forces EXTERNAL services', () => {
    const services = [...ten.slice(0, 9), managed('canary', { desiredCount: 0, deploymentControllerType: 'EXTERNAL' })];
    const target = { resourceId: 'service/prod/canary', minCapacity: 1, maxCapacity: 2, suspendedState: { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false } };
    const plan = planPrune(keys(9), services, { scalableTargets: { 'service/prod/canary': target } });
    expect(plan.actions.map((a) => a.kind)).toEqual(['DeregisterScalableTarget', 'DeleteService']);
    expect(plan.actions[1]?.input).toEqual({ cluster, service: 'canary', force: true });
  });
});

import { describe, expect, it } from 'vitest';
import { emptyObservedState } from '../../../src/observe/index.js';
import type { ObservedService, ObservedState } from '../../../src/observe/index.js';
import { formatLedger, parseLedger, planPrune, PRUNE_APPROVAL_TAG, PRUNE_LEDGER_TAG, withDeletions } from '../../../src/plan/index.js';
import type { PruneInput } from '../../../src/plan/index.js';

function managed(name: string, extra: Partial<ObservedService> = {}): ObservedService {
  const cluster = extra.clusterName ?? 'prod';
  return {
    key: `${cluster}/${name}`,
    clusterName: cluster,
    clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${name}`,
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

const NOW = Date.parse('2026-12-06T05:00:00Z');
const MINUTE = 60_000;
const ten = Array.from({ length: 10 }, (_, i) => managed(`svc-${i}`));
const keys = (n: number) => ten.slice(0, n).map((s) => s.key);
const cluster = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';

function stateOf(services: ObservedService[], clusterTags: Record<string, Record<string, string>> = { prod: {} }): ObservedState {
  const state = emptyObservedState();
  for (const service of services) state.services[service.key] = service;
  state.clusterTags = clusterTags;
  return state;
}

function plan(desiredKeys: string[], services: ObservedService[] = ten, extra: Partial<PruneInput> = {}) {
  return planPrune({ desiredKeys, state: stateOf(services), instance: 'ecs-reconciler', now: NOW, ...extra });
}

/** A ledger tag holding deletions `minutesAgo` before NOW. */
function ledger(...minutesAgo: number[]): string {
  return formatLedger(minutesAgo.map((ago) => ({ at: NOW - ago * MINUTE, count: 1 })).sort((a, b) => a.at - b.at));
}

describe('planPrune: what a pass deletes', () => {
  it('scales to 0, then deletes each managed service no manifest names', () => {
    const result = plan(keys(9));
    expect(result.outcome).toBe('ok');
    expect(result.deleteKeys).toEqual(['prod/svc-9']);
    expect(result.actions.map((a) => [a.kind, a.input])).toEqual([
      ['UpdateService', { cluster, service: 'svc-9', desiredCount: 0 }],
      ['DeleteService', { cluster, service: 'svc-9' }],
    ]);
  });

  it('refuses when the desired set is empty, even when forced', () => {
    const result = plan([], ten, { force: true });
    expect(result).toMatchObject({ outcome: 'refused', actions: [] });
    expect(result.outcome === 'refused' && result.reason).toMatch(/names no service/);
  });

  it('refuses when the desired state cannot be trusted, even when forced, naming what it would have deleted', () => {
    const result = plan(keys(9), ten, { force: true, blocker: 'api.yaml has errors and never loaded cleanly' });
    expect(result).toEqual({ outcome: 'refused', reason: 'api.yaml has errors and never loaded cleanly; nothing is pruned', deleteKeys: ['prod/svc-9'], actions: [], held: {} });
  });

  it('only counts services managed by this instance', () => {
    expect(plan(keys(1), ten, { instance: 'other-instance' })).toMatchObject({ outcome: 'ok', deleteKeys: [] });
  });

  it('leaves services already being deleted (DRAINING) alone', () => {
    const result = plan(keys(9), [...ten.slice(0, 9), managed('svc-9', { status: 'DRAINING' })]);
    expect(result).toMatchObject({ outcome: 'ok', deleteKeys: [], actions: [] });
  });

  it('deregisters the scalable target first, skips the scale-down at 0, and forces EXTERNAL services', () => {
    const services = [...ten.slice(0, 9), managed('canary', { desiredCount: 0, deploymentControllerType: 'EXTERNAL' })];
    const target = { resourceId: 'service/prod/canary', minCapacity: 1, maxCapacity: 2, suspendedState: { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false } };
    const state = { ...stateOf(services), scalableTargets: { 'service/prod/canary': target } };
    const result = planPrune({ desiredKeys: keys(9), state, instance: 'ecs-reconciler', now: NOW });
    expect(result.actions.map((a) => a.kind)).toEqual(['DeregisterScalableTarget', 'DeleteService']);
    expect(result.actions[1]?.input).toEqual({ cluster, service: 'canary', force: true });
  });
});

describe('planPrune: the deletion budget over a rolling window', () => {
  it.each([
    [7, 'ok'],
    [6, 'refused'],
  ])('in one pass, with %i of 10 kept (default share 30%%) the plan is %s', (kept, outcome) => {
    expect(plan(keys(kept)).outcome).toBe(outcome);
  });

  it('counts the deletions recorded within the window: one at a time cannot get past the share', () => {
    // 9 services; two were deleted 1 and 2 minutes ago (they are gone: 7 remain), and the manifest of an eighth left.
    const seven = ten.slice(0, 7);
    const result = planPrune({ desiredKeys: keys(6), state: stateOf(seven, { prod: { [PRUNE_LEDGER_TAG]: ledger(2, 1) } }), instance: 'ecs-reconciler', now: NOW });
    expect(result).toMatchObject({ outcome: 'refused', deleteKeys: ['prod/svc-6'], held: { prod: 1 } });
    if (result.outcome !== 'refused') throw new Error('expected a refusal');
    expect(result.reason).toContain('pruning would delete 1 of 7 managed services in cluster prod, 3 of 9 within 1h with the 2 deleted there before (33%)');
    expect(result.reason).toContain('--force-prune');
    expect(result.reason).toContain('ecs-reconciler prune approve prod');
  });

  it('forgets deletions once they leave the window', () => {
    const seven = ten.slice(0, 7);
    const state = stateOf(seven, { prod: { [PRUNE_LEDGER_TAG]: ledger(61, 60) } });
    expect(planPrune({ desiredKeys: keys(6), state, instance: 'ecs-reconciler', now: NOW })).toMatchObject({ outcome: 'ok', deleteKeys: ['prod/svc-6'], limits: { prod: 2 } });
  });

  it('holds at the count as well as the share, and takes both and the window from its configuration', () => {
    const many = Array.from({ length: 100 }, (_, i) => managed(`svc-${String(i).padStart(3, '0')}`));
    const state = stateOf(many, { prod: { [PRUNE_LEDGER_TAG]: ledger(50, 40, 30, 20, 10) } });
    const input = { desiredKeys: many.slice(0, 99).map((s) => s.key), state, instance: 'ecs-reconciler', now: NOW };
    expect(planPrune(input)).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/at most 5 per 1h/) });
    expect(planPrune({ ...input, budget: { maxCount: 6 } })).toMatchObject({ outcome: 'ok', limits: { prod: 6 } });
    expect(planPrune({ ...input, budget: { windowMs: 15 * MINUTE } })).toMatchObject({ outcome: 'ok' });
    expect(() => planPrune({ ...input, budget: { maxShare: 2 } })).toThrow(/share must be between 0 and 1/);
  });

  it('is per cluster: a cluster within its budget does not borrow from another', () => {
    const other = Array.from({ length: 3 }, (_, i) => managed(`api-${i}`, { clusterName: 'edge' }));
    const state = stateOf([...ten, ...other], { prod: {}, edge: {} });
    const result = planPrune({ desiredKeys: [...keys(9), 'edge/api-0', 'edge/api-1'], state, instance: 'ecs-reconciler', now: NOW });
    expect(result).toMatchObject({ outcome: 'refused', held: { edge: 1 } });
    expect(result.outcome === 'refused' && result.reason).toMatch(/^pruning would delete 1 of 3 managed services in cluster edge/);
  });

  it('refuses a cluster whose ledger was not read, or does not parse, rather than assume nothing was deleted', () => {
    expect(planPrune({ desiredKeys: keys(9), state: stateOf(ten, {}), instance: 'ecs-reconciler', now: NOW })).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/ledger was not read/) });
    const garbled = stateOf(ten, { prod: { [PRUNE_LEDGER_TAG]: 'reset by hand' } });
    expect(planPrune({ desiredKeys: keys(9), state: garbled, instance: 'ecs-reconciler', now: NOW })).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/does not parse/) });
  });

  it('lets --force-prune or an unexpired approval on the cluster past the budget, with no limit on the recording', () => {
    expect(plan(keys(1), ten, { force: true })).toMatchObject({ outcome: 'ok', limits: { prod: null } });
    const approved = (until: number) => stateOf(ten, { prod: { [PRUNE_APPROVAL_TAG]: new Date(until).toISOString() } });
    expect(planPrune({ desiredKeys: keys(1), state: approved(NOW + MINUTE), instance: 'ecs-reconciler', now: NOW })).toMatchObject({ outcome: 'ok', limits: { prod: null } });
    expect(planPrune({ desiredKeys: keys(1), state: approved(NOW - MINUTE), instance: 'ecs-reconciler', now: NOW }).outcome).toBe('refused');
  });
});

describe('the ledger tag', () => {
  it('round-trips, merges deletions of the same second, and drops entries past the retention', () => {
    const entries = withDeletions(parseLedger(ledger(90, 5)) ?? [], NOW, 1, 60 * MINUTE);
    expect(entries).toEqual([
      { at: NOW - 5 * MINUTE, count: 1 },
      { at: NOW, count: 1 },
    ]);
    expect(withDeletions(entries, NOW + 400, 2, 60 * MINUTE).at(-1)).toEqual({ at: NOW, count: 3 });
    expect(parseLedger(formatLedger(entries))).toEqual(entries);
  });

  it('stays within AWS\'s 256 characters by merging the oldest entries, never losing a deletion', () => {
    let entries = parseLedger('') ?? [];
    for (let i = 0; i < 60; i++) entries = withDeletions(entries, NOW + i * 1000, 1, 60 * MINUTE);
    expect(formatLedger(entries).length).toBeLessThanOrEqual(256);
    expect(entries.reduce((sum, entry) => sum + entry.count, 0)).toBe(60);
  });
});

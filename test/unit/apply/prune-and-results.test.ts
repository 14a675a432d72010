import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteServiceCommand, DescribeClustersCommand, ECSClient, TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, DeregisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { appliedResult, executePrune, plannedResult, PruneLedgerWriter } from '../../../src/apply/index.js';
import type { PrunePlan, ServicePlan } from '../../../src/plan/index.js';

function clients() {
  const ecs = new ECSClient({ region: 'us-east-1' });
  const autoscaling = new ApplicationAutoScalingClient({ region: 'us-east-1' });
  const mocked = mockClient(ecs);
  mocked.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'demo', clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo', status: 'ACTIVE', tags: [] }] });
  mocked.on(TagResourceCommand).resolves({});
  return {
    clients: { ecs, autoscaling, elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }) },
    ecs: mocked,
    autoscaling: mockClient(autoscaling),
    ledger: new PruneLedgerWriter(ecs, () => Date.parse('2026-12-06T05:00:00Z')),
  };
}

const prunePlan: PrunePlan = {
  outcome: 'ok',
  deleteKeys: ['demo/api', 'demo/worker'],
  actions: [
    { kind: 'DeregisterScalableTarget', api: 'autoscaling', reason: 'prune', resourceKey: 'service/demo/api', input: { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: 'service/demo/api' } },
    { kind: 'UpdateService', api: 'ecs', reason: 'prune', resourceKey: 'demo/api', input: { cluster: 'demo', service: 'api', desiredCount: 0 } },
    { kind: 'DeleteService', api: 'ecs', reason: 'prune', resourceKey: 'demo/api', input: { cluster: 'demo', service: 'api' } },
    { kind: 'UpdateService', api: 'ecs', reason: 'prune', resourceKey: 'demo/worker', input: { cluster: 'demo', service: 'worker', desiredCount: 0 } },
    { kind: 'DeleteService', api: 'ecs', reason: 'prune', resourceKey: 'demo/worker', input: { cluster: 'demo', service: 'worker' } },
  ],
  limits: { demo: null },
  windowMs: 3_600_000,
};

describe('executePrune', () => {
  it('deletes each service on its own: one failing deletion does not keep the other', async () => {
    const fake = clients();
    fake.ecs.on(UpdateServiceCommand, { service: 'api' }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    fake.ecs.on(UpdateServiceCommand, { service: 'worker' }).resolves({});
    fake.ecs.on(DeleteServiceCommand).resolves({});
    fake.autoscaling.on(DeregisterScalableTargetCommand).resolves({});
    const result = await executePrune(fake.clients, prunePlan, { dryRun: false, ledger: fake.ledger });
    expect(result).toMatchObject({
      outcome: 'ok',
      services: [
        { key: 'demo/api', status: 'failed', error: { code: 'AccessDeniedException' } },
        { key: 'demo/worker', status: 'deleted' },
      ],
    });
    expect(fake.ecs.commandCalls(DeleteServiceCommand).map((call) => call.args[0].input.service)).toEqual(['worker']);
    if (result.outcome !== 'ok') throw new Error('expected ok');
    expect(result.services[0]?.actions.map((action) => `${action.kind}:${action.status}`)).toEqual(['DeregisterScalableTarget:ok', 'UpdateService:failed', 'DeleteService:skipped']);
  });

  it('a dry run sends nothing, and a refused plan does nothing and keeps its reason', async () => {
    const fake = clients();
    const dry = await executePrune(fake.clients, prunePlan, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'ok', services: [{ key: 'demo/api', status: 'planned' }, { key: 'demo/worker', status: 'planned' }] });
    const refused = await executePrune(fake.clients, { outcome: 'refused', reason: 'too many', deleteKeys: ['demo/api'], actions: [], held: { demo: 1 } }, { dryRun: false, ledger: fake.ledger });
    expect(refused).toEqual({ outcome: 'refused', reason: 'too many', wouldDelete: ['demo/api'] });
    expect(fake.ecs.calls()).toHaveLength(0);
    expect(fake.autoscaling.calls()).toHaveLength(0);
  });
});

const basePlan = (overrides: Partial<ServicePlan>): ServicePlan => ({ key: 'demo/web', outcome: 'in-sync', actions: [], changes: [], messages: [], deferred: [], ...overrides });

describe('service results', () => {
  it('work deferred to the rollout engine alone is in sync, not a pending change', () => {
    const deferred = [{ path: ['taskDefinition'], kind: 'added' as const, desired: {} }];
    expect(plannedResult(basePlan({ outcome: 'changes', deferred })).status).toBe('in-sync');
  });

  it('refusals keep their outcome; a plan with actions is planned', () => {
    expect(plannedResult(basePlan({ outcome: 'conflict', messages: ['untagged'] })).status).toBe('conflict');
    expect(plannedResult(basePlan({ outcome: 'blocked' })).status).toBe('blocked');
    const update = { kind: 'UpdateService' as const, api: 'ecs' as const, reason: 'desiredCount differ', resourceKey: 'demo/web', input: { cluster: 'demo', service: 'web', desiredCount: 3 } };
    expect(plannedResult(basePlan({ outcome: 'changes', actions: [update] })).actions).toEqual([{ kind: 'UpdateService', resourceKey: 'demo/web', reason: 'desiredCount differ', status: 'planned' }]);
  });

  it('an applied plan whose read-back still differs is not converged, with the remaining diff', () => {
    const remaining = [{ path: ['service', 'desiredCount'], kind: 'changed' as const, desired: 3, observed: 2 }];
    const update = { kind: 'UpdateService' as const, api: 'ecs' as const, reason: 'x', resourceKey: 'demo/web', input: { cluster: 'demo', service: 'web', desiredCount: 3 } };
    const readBack = basePlan({ outcome: 'changes', actions: [update], changes: remaining });
    const result = appliedResult(basePlan({ outcome: 'changes', actions: [update] }), { actions: [{ kind: 'UpdateService', resourceKey: 'demo/web', reason: 'x', status: 'ok' }] }, readBack);
    expect(result.status).toBe('not-converged');
    expect(result.remaining).toEqual(remaining);
    expect(appliedResult(basePlan({ outcome: 'changes', actions: [update] }), { actions: [] }, basePlan({})).status).toBe('changed');
  });
});

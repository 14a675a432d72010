import { describe, expect, it } from 'vitest';
import type { ServiceResult } from '../../../src/apply/index.js';
import { DEFAULT_REQUEUE, healthOf, judgeError, judgeResult, statusFromPlan, strategyOf } from '../../../src/controller/service-status.js';
import type { ObservedDeployment, ObservedService } from '../../../src/observe/index.js';
import { desired } from './fixtures.js';

function observed(change: Partial<ObservedService> = {}): ObservedService {
  return {
    key: 'prod/api',
    clusterName: 'prod',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    serviceName: 'api',
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/api',
    status: 'ACTIVE',
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:1',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentControllerType: 'ECS',
    settings: {},
    tags: {},
    deployments: [deployment()],
    taskSets: [],
    ...change,
  };
}

function deployment(change: Partial<ObservedDeployment> = {}): ObservedDeployment {
  return { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: 'td:1', desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED', ...change };
}

function result(change: Partial<ServiceResult>): ServiceResult {
  return { key: 'prod/api', status: 'in-sync', changes: [], actions: [], deferred: [], messages: [], ...change };
}

const context = { revision: 'abc123', drift: false, requeue: DEFAULT_REQUEUE };

describe('healthOf', () => {
  it.each<[string, ObservedService | undefined, string]>([
    ['missing', undefined, 'Missing'],
    ['draining', observed({ status: 'DRAINING' }), 'Missing'],
    ['settled', observed(), 'Healthy'],
    ['a deployment in progress', observed({ deployments: [deployment({ rolloutState: 'IN_PROGRESS' })] }), 'Progressing'],
    ['two deployments', observed({ deployments: [deployment(), deployment({ id: 'ecs-svc/0', status: 'ACTIVE' })] }), 'Progressing'],
    ['fewer tasks than desired', observed({ runningCount: 1 }), 'Progressing'],
    ['a failed deployment', observed({ deployments: [deployment({ rolloutState: 'FAILED' })] }), 'Degraded'],
  ])('%s -> %s', (_case, service, health) => {
    expect(healthOf(service)).toBe(health);
  });
});

describe('judgeResult', () => {
  it('in sync and healthy: success, nothing more to do', () => {
    const verdict = judgeResult(result({}), observed(), context);
    expect(verdict).toMatchObject({ syncStatus: 'Synced', healthStatus: 'Healthy', result: 'success', retry: false });
    expect(verdict).not.toHaveProperty('requeueAfterMs');
  });

  it('in sync but still settling: looks again soon', () => {
    expect(judgeResult(result({}), observed({ runningCount: 0 }), context)).toMatchObject({ result: 'requeue', requeueAfterMs: DEFAULT_REQUEUE.progressingMs });
  });

  it('changed: applied, Progressing, requeued; the decision names the fields, the revisions and who asked', () => {
    const changed = result({
      status: 'changed',
      changes: [{ path: ['desiredCount'], kind: 'changed', desired: 2, observed: 1 }],
      actions: [{ kind: 'UpdateService', resourceKey: 'prod/api', reason: 'desiredCount', status: 'ok' }],
    });
    expect(judgeResult(changed, observed({ tags: { 'ecs-reconciler:revision': 'old999' } }), context)).toMatchObject({
      syncStatus: 'Synced',
      healthStatus: 'Progressing',
      result: 'requeue',
      decision: {
        action: 'update',
        outcome: 'applied',
        reason: 'applied revision abc123',
        from: 'old999',
        to: 'abc123',
        requestedBy: 'git:abc123',
        details: { fields: ['desiredCount'], calls: ['UpdateService'] },
      },
    });
    expect(judgeResult(changed, undefined, context).decision).toMatchObject({ action: 'create', to: 'abc123', requestedBy: 'git:abc123' });
    expect(judgeResult(changed, observed(), { ...context, drift: true }).decision).toEqual({
      action: 'drift-corrected',
      outcome: 'applied',
      reason: 'corrected drift: AWS was changed outside git',
      requestedBy: 'controller',
      details: { fields: ['desiredCount'], calls: ['UpdateService'] },
    });
  });

  it('failed or not converged: Error/OutOfSync, retried with backoff', () => {
    const failed = judgeResult(result({ status: 'failed', error: { code: 'InvalidParameterException', message: 'bad', action: 'CreateService' } }), undefined, context);
    expect(failed).toMatchObject({ syncStatus: 'Error', result: 'error', retry: true, message: 'CreateService: InvalidParameterException: bad' });
    expect(judgeResult(result({ status: 'not-converged' }), observed(), context)).toMatchObject({ syncStatus: 'OutOfSync', retry: true });
  });

  it('conflict: left alone, not retried', () => {
    expect(judgeResult(result({ status: 'conflict', messages: ['not managed'] }), observed(), context)).toMatchObject({
      syncStatus: 'Conflict',
      result: 'conflict',
      retry: false,
      message: 'not managed',
      decision: { outcome: 'refused' },
    });
  });

  it('blocked: waits and looks again later', () => {
    expect(judgeResult(result({ status: 'blocked' }), observed(), context)).toMatchObject({ result: 'requeue', requeueAfterMs: DEFAULT_REQUEUE.blockedMs, decision: { outcome: 'waiting' } });
  });
});

describe('judgeError', () => {
  it('a pass that could not run is an Error, retried', () => {
    expect(judgeError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toMatchObject({ syncStatus: 'Error', healthStatus: 'Unknown', result: 'error', retry: true });
  });
});

describe('statusFromPlan and strategyOf', () => {
  it('maps plan outcomes for services a resync does not queue', () => {
    const plan = { key: 'prod/api', outcome: 'conflict' as const, actions: [], changes: [], messages: ['tagged by another instance'], deferred: [] };
    expect(statusFromPlan(plan, observed())).toEqual({ syncStatus: 'Conflict', healthStatus: 'Healthy', message: 'tagged by another instance' });
    expect(statusFromPlan({ ...plan, outcome: 'changes', messages: [] }, observed())).toEqual({ syncStatus: 'Synced', healthStatus: 'Healthy' });
  });

  it('defaults the strategy to Rolling', () => {
    expect(strategyOf(desired('api'))).toBe('Rolling');
  });
});

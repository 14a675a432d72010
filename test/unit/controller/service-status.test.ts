import { describe, expect, it } from 'vitest';
import type { ServiceResult } from '../../../src/apply/index.js';
import { DEFAULT_REQUEUE, healthOf, holdDecision, judgeError, judgeResult, statusFromPlan, strategyOf } from '../../../src/controller/service-status.js';
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

describe('a held revision (issue 14: status said Healthy/COMPLETED while the rolled-back revision served)', () => {
  const record = {
    hash: '0123456789abcdef',
    kind: 'circuit-breaker' as const,
    failedAt: 1_780_000_000,
    taskDefinitionRevision: 7,
    gitRevision: '1a2b3c4d5e6f',
    consumed: {},
    message: 'CannotPullContainerError: pull image manifest has been retried 7 time s : failed to resolve ref web:2.0.0: not found',
  };

  it('is Degraded and OutOfSync with the revision, who rolled it back and the tasks\' reason, though the old revision runs healthy', () => {
    const verdict = judgeResult(result({ hold: { state: 'held', record } }), observed(), { ...context, family: 'api' });
    expect(verdict).toMatchObject({ syncStatus: 'OutOfSync', healthStatus: 'Degraded', result: 'success', retry: false });
    expect(verdict.message).toBe(
      'api:7 (commit 1a2b3c4d5e6f) rolled back by the ECS deployment circuit breaker: CannotPullContainerError: pull image manifest has been retried 7 time s : failed to resolve ref web:2.0.0: not found; held until git changes the service or an operator retries',
    );
    expect(verdict.decision).toMatchObject({ action: 'hold', outcome: 'skipped' });
  });

  it('logs hold-started when the record was written and hold-ended when git or a retry ends it', () => {
    expect(holdDecision(result({ status: 'changed', hold: { state: 'started', record } }), 'api')).toMatchObject({ action: 'hold-started', outcome: 'applied', details: { failedRevision: record.hash, by: 'circuit-breaker' } });
    expect(holdDecision(result({ status: 'failed', hold: { state: 'started', record } }))).toBeUndefined();
    expect(holdDecision(result({ status: 'changed', hold: { state: 'ended', record, why: 'retry' } }))).toMatchObject({ action: 'hold-ended', reason: 'an operator retried: the service is deployed again' });
    expect(holdDecision(result({ hold: { state: 'held', record } }))).toBeUndefined();
  });

  it('a resync that does not queue the service reports it Degraded too', () => {
    const plan = { key: 'prod/api', outcome: 'in-sync' as const, actions: [], changes: [], messages: [], deferred: [], hold: { state: 'held' as const, record } };
    expect(statusFromPlan(plan, observed(), 'api')).toMatchObject({ syncStatus: 'OutOfSync', healthStatus: 'Degraded', message: expect.stringContaining('CannotPullContainerError') });
  });

  it('an unreadable record says so', () => {
    const verdict = judgeResult(result({ hold: { state: 'unreadable', error: 'no version', value: 'x' } }), observed(), context);
    expect(verdict).toMatchObject({ healthStatus: 'Degraded', message: expect.stringContaining('is not obeyed (no version)') });
  });
});

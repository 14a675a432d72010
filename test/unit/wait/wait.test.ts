import { describe, expect, it } from 'vitest';
import { encodeFailure, FAILURE_TAG } from '../../../src/hold/index.js';
import type { ObservedDeployment, ObservedService } from '../../../src/observe/index.js';
import { encodeRecord, ROLLOUT_TAG } from '../../../src/rollout/index.js';
import { judgeOutcome } from '../../../src/wait/outcome.js';
import type { Outcome } from '../../../src/wait/outcome.js';
import { WAIT_EXIT, waitForOutcomes } from '../../../src/wait/wait.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3';

function deployment(change: Partial<ObservedDeployment> = {}): ObservedDeployment {
  return { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: TD, desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED', ...change };
}

function service(change: Partial<ObservedService> = {}): ObservedService {
  return {
    key: 'demo/web',
    clusterName: 'demo',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web',
    status: 'ACTIVE',
    taskDefinition: TD,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentControllerType: 'ECS',
    settings: {},
    tags: { 'ecs-reconciler:revision': 'abc123def456' },
    deployments: [deployment()],
    taskSets: [],
    ...change,
  };
}

describe('judgeOutcome (wait reads AWS only)', () => {
  it('healthy once the only deployment completed with every task running, on the revision asked for', () => {
    expect(judgeOutcome(service(), {})).toMatchObject({ state: 'healthy' });
    expect(judgeOutcome(service(), { revision: 'abc123' })).toMatchObject({ state: 'healthy' });
    expect(judgeOutcome(service(), { revision: 'fff000' })).toMatchObject({ state: 'progressing', detail: expect.stringContaining('not on revision fff000') });
    expect(judgeOutcome(service({ runningCount: 1 }), {})).toMatchObject({ state: 'progressing', detail: '1/2 running, deployment COMPLETED' });
  });

  it('never healthy while ECS rolls back: failed, with ECS reason and the stopped tasks\' reason', () => {
    const rollingBack = service({ deployments: [deployment({ rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0.' })] });
    const outcome = judgeOutcome(rollingBack, {}, {}, ['CannotPullContainerError: not found']);
    expect(outcome.state).toBe('failed');
    expect(outcome.detail).toContain('rolling back');
    expect(outcome.detail).toContain('CannotPullContainerError: not found');
  });

  it('an older FAILED deployment draining behind a new attempt is not a failure', () => {
    const retried = service({ deployments: [deployment({ rolloutState: 'IN_PROGRESS' }), deployment({ id: 'ecs-svc/0', status: 'ACTIVE', rolloutState: 'FAILED' })] });
    expect(judgeOutcome(retried, {}).state).toBe('progressing');
  });

  it('failed while the controller holds a revision, though the old one serves healthy', () => {
    const tags = { [FAILURE_TAG]: encodeFailure({ hash: 'abcdef', kind: 'circuit-breaker', failedAt: 1, taskDefinitionRevision: 4, gitRevision: 'c2', consumed: {}, message: 'CannotPullContainerError: x' }) };
    expect(judgeOutcome(service({ tags }), {})).toEqual({ state: 'failed', detail: 'web:4 (commit c2) rolled back by the ECS deployment circuit breaker: CannotPullContainerError: x; held until git changes the service or an operator retries' });
  });

  it('Canary/BlueGreen: failed when the rollout was aborted, progressing while one is in flight', () => {
    const record = { hash: 'abcdef0123456789', stage: 'aborted' as const, step: 2, stepStartedAt: 1, startedAt: 1, attempt: 0, backgroundRun: 0, abortReason: 'analysis' as const, consumed: {} };
    const external = (stage: 'aborted' | 'progressing') => service({ deploymentControllerType: 'EXTERNAL', deployments: [], tags: { [ROLLOUT_TAG]: encodeRecord({ ...record, stage }) } });
    expect(judgeOutcome(external('aborted'), {})).toEqual({
      state: 'failed',
      detail: 'revision abcdef0123456789 aborted by analysis: traffic is back on the stable version; held until git changes the service or an operator retries',
    });
    expect(judgeOutcome(external('progressing'), {})).toMatchObject({ state: 'progressing', detail: 'rollout of abcdef0123456789 progressing at step 3' });
  });
});

describe('waitForOutcomes', () => {
  const run = async (sequence: Outcome[][], options: { timeoutMs?: number; isTTY?: boolean } = {}) => {
    let text = '';
    let clock = 0;
    let poll = 0;
    const code = await waitForOutcomes(
      ['demo/a', 'demo/b'],
      async () => {
        const outcomes = sequence[Math.min(poll++, sequence.length - 1)]!;
        return new Map([['demo/a', outcomes[0]!], ['demo/b', outcomes[1]!]]);
      },
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 1000, out: { write: (chunk: string) => (text += chunk), isTTY: options.isTTY ?? false }, now: () => clock, sleep: async (ms) => void (clock += ms) },
    );
    return { code, text };
  };
  const progressing = (detail: string): Outcome => ({ state: 'progressing', detail });
  const healthy: Outcome = { state: 'healthy', detail: '2/2 running' };

  it('exits 0 once every service is healthy, printing one line per change when not on a terminal', async () => {
    const { code, text } = await run([[progressing('0/2 running'), healthy], [progressing('0/2 running'), healthy], [healthy, healthy]]);
    expect(code).toBe(WAIT_EXIT.healthy);
    expect(text.split('\n').filter(Boolean)).toEqual(['demo/a  Progressing  0/2 running', 'demo/b  Healthy  2/2 running', 'demo/a  Healthy  2/2 running']);
  });

  it('exits 1 at the first failure, with the reason', async () => {
    const { code, text } = await run([[progressing('x'), progressing('y')], [{ state: 'failed', detail: 'rolled back: CannotPullContainerError' }, progressing('y')]]);
    expect(code).toBe(WAIT_EXIT.failed);
    expect(text).toContain('demo/a failed: rolled back: CannotPullContainerError');
  });

  it('exits 2 on timeout, and on an error reading AWS', async () => {
    expect((await run([[progressing('x'), healthy]], { timeoutMs: 5000 })).code).toBe(WAIT_EXIT.timeoutOrError);
    const code = await waitForOutcomes(['demo/a'], () => Promise.reject(new Error('connect ECONNREFUSED')), { timeoutMs: 1000, intervalMs: 100, out: { write: () => true } });
    expect(code).toBe(WAIT_EXIT.timeoutOrError);
  });

  it('on a terminal redraws one live line per service', async () => {
    const { text } = await run([[progressing('0/2'), healthy], [healthy, healthy]], { isTTY: true });
    expect(text).toContain('\u001b[2A');
    expect(text.match(/demo\/a/g)).toHaveLength(2);
  });
});

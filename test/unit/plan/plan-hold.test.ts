/**
 * The failed-revision hold in the plan: a Rolling service whose new revision ECS rolled back is not deployed again
 * (the bug of issue 14: it was treated as drift and redeployed on every resync), while what is not a deployment
 * (tags, count, autoscaling) is still reconciled, until git changes the revision or an operator retries.
 */
import { describe, expect, it } from 'vitest';
import { decodeFailure, FAILURE_TAG, readFailureTag } from '../../../src/hold/index.js';
import { RecordKey } from '../../../src/integrity/index.js';
import type { ObservedDeployment } from '../../../src/observe/index.js';
import { planService, REGISTERED_TASK_DEFINITION } from '../../../src/plan/index.js';
import type { ServicePlan } from '../../../src/plan/index.js';
import { REQUEST_TAG, fingerprint } from '../../../src/rollout/index.js';
import { ACCOUNT, FakeAws, manifest, REGION } from './fixtures.js';

const NOW = 1_780_000_000_000;
const kinds = (plan: ServicePlan) => plan.actions.map((a) => a.kind);
const image = (tag: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:${tag}`;
const BREAKER = { deploymentCircuitBreaker: { enable: true, rollback: true } };

function withImage(tag: string, spec: Record<string, unknown> = {}) {
  const m = manifest({ rollout: { strategy: 'Rolling', rolling: BREAKER }, ...spec });
  m.spec.taskDefinition.containerDefinitions[0]!.image = image(tag);
  return m;
}

function deployment(status: string, taskDefinition: string, rolloutState: string, rolloutStateReason: string, createdAt = NOW / 1000 - 30): ObservedDeployment {
  return { id: `ecs-svc/${status}${taskDefinition.slice(-1)}`, status, taskDefinition, desiredCount: 3, runningCount: 0, pendingCount: 0, rolloutState, rolloutStateReason, createdAt };
}

/**
 * 1.4.2 runs (revision 1); 2.0.0 (revision 2) was deployed and ECS's circuit breaker is rolling it back: the
 * service runs revision 1 again under a new PRIMARY deployment, the failed one still ACTIVE and draining.
 */
function rolledBack() {
  const aws = new FakeAws();
  aws.apply(planService(withImage('1.4.2'), aws.state, { revision: 'c1', now: NOW }).actions);
  aws.apply(planService(withImage('2.0.0'), aws.state, { revision: 'c2', now: NOW }).actions);
  const service = aws.state.services['prod/checkout']!;
  const [good, bad] = Object.keys(aws.state.taskDefinitions);
  service.taskDefinition = good!;
  service.deployments = [
    deployment('PRIMARY', good!, 'IN_PROGRESS', 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.'),
    deployment('ACTIVE', bad!, 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.'),
  ];
  aws.calls = [];
  return { aws, service, good: good!, bad: bad! };
}

/** The rollback finished: only the rolled-back-to deployment is left. */
function settle(h: ReturnType<typeof rolledBack>) {
  h.service.deployments = [deployment('PRIMARY', h.good, 'COMPLETED', 'ECS deployment ecs-svc/9 completed.')];
}

function recordOf(h: ReturnType<typeof rolledBack>) {
  const value = h.service.tags[FAILURE_TAG];
  const decoded = value === undefined ? undefined : decodeFailure(value);
  return decoded?.ok ? decoded.record : undefined;
}

describe('planService: a revision ECS rolled back is held', () => {
  it('records the failure instead of deploying the failed revision again', () => {
    const h = rolledBack();
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(kinds(plan)).toEqual(['TagResource']);
    expect(plan.hold?.state).toBe('started');
    h.aws.apply(plan.actions);
    expect(recordOf(h)).toMatchObject({ kind: 'circuit-breaker', taskDefinitionRevision: 2, gitRevision: 'c2', failedAt: NOW / 1000 });
    expect(plan.messages.join(' ')).toContain('held');
  });

  it('makes no write over many passes once recorded, while the rollback finishes and after', () => {
    const h = rolledBack();
    h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    for (let pass = 0; pass < 12; pass++) {
      if (pass === 3) settle(h);
      const plan = planService(withImage('2.0.0'), h.aws.state, { revision: `c${pass + 3}`, now: NOW + pass * 30_000 });
      expect(plan.actions).toEqual([]);
      expect(plan.hold?.state).toBe('held');
      // The difference is still shown (diff, status), it is just not deployed.
      expect(plan.changes.some((change) => change.path[0] === 'taskDefinition')).toBe(true);
    }
  });

  it('while held, still reconciles tags, the desired count and autoscaling, and never the task definition or deployment settings', () => {
    const h = rolledBack();
    h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    settle(h);
    h.service.settings.enableExecuteCommand = true; // drift of a deployment setting: left alone while held
    const autoscaling = { minCapacity: 4, maxCapacity: 8 };
    const plan = planService(withImage('2.0.0', { tags: [{ key: 'team', value: 'payments' }], autoscaling, desiredCount: 4 }), h.aws.state, { revision: 'c3', now: NOW });
    expect(kinds(plan)).toEqual(['UpdateService', 'RegisterScalableTarget', 'TagResource']);
    expect(plan.actions[0]?.input).toEqual({ cluster: 'prod', service: 'checkout', desiredCount: 4 });
    expect(plan.actions[2]?.input).toMatchObject({ tags: expect.arrayContaining([{ key: 'team', value: 'payments' }]) });
    expect(JSON.stringify(plan.actions)).not.toContain(FAILURE_TAG);
  });

  it('ends when git changes the revision: the record is removed and the fix deployed', () => {
    const h = rolledBack();
    h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    settle(h);
    const plan = planService(withImage('2.0.1'), h.aws.state, { revision: 'c3', now: NOW });
    expect(kinds(plan)).toEqual(['UntagResource', 'RegisterTaskDefinition', 'UpdateService']);
    expect(plan.actions[0]?.input).toEqual({ resourceArn: h.service.serviceArn, tagKeys: [FAILURE_TAG] });
    expect(plan.actions[2]?.input).toMatchObject({ taskDefinition: REGISTERED_TASK_DEFINITION });
    expect(plan.hold).toMatchObject({ state: 'ended', why: 'revision-changed' });
  });

  it('ends on a revert to the revision that runs: only the record is removed', () => {
    const h = rolledBack();
    h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    settle(h);
    const plan = planService(withImage('1.4.2'), h.aws.state, { revision: 'c3', now: NOW });
    expect(kinds(plan)).toEqual(['UntagResource']);
  });

  it('ends on a retry request tag, once: a later failure records the request as consumed', () => {
    const h = rolledBack();
    h.service.tags[REQUEST_TAG] = 'retry:old-token';
    h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    expect(recordOf(h)?.consumed.request).toBe(fingerprint('retry:old-token'));
    settle(h);
    expect(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions).toEqual([]);
    h.service.tags[REQUEST_TAG] = 'retry:new-token';
    const retry = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(kinds(retry)).toEqual(['UntagResource', 'RegisterTaskDefinition', 'UpdateService']);
    expect(retry.hold).toMatchObject({ state: 'ended', why: 'retry' });
  });

  it('ends on a new manifest retry token, not on the token that was there when it failed', () => {
    const h = rolledBack();
    const operator = (retry: string) => withImage('2.0.0', { rollout: { strategy: 'Rolling', rolling: BREAKER, operator: { retry } } });
    h.aws.apply(planService(operator('t1'), h.aws.state, { revision: 'c2', now: NOW }).actions);
    settle(h);
    expect(planService(operator('t1'), h.aws.state, { revision: 'c2', now: NOW }).actions).toEqual([]);
    expect(kinds(planService(operator('t2'), h.aws.state, { revision: 'c2', now: NOW }))).toEqual(['UntagResource', 'RegisterTaskDefinition', 'UpdateService']);
  });

  it('a retried attempt in flight is not taken for the old failure still draining', () => {
    const h = rolledBack();
    h.service.taskDefinition = h.bad;
    h.service.deployments = [deployment('PRIMARY', h.bad, 'IN_PROGRESS', 'ECS deployment ecs-svc/3 in progress.'), deployment('ACTIVE', h.bad, 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.')];
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(plan.hold).toBeUndefined();
    expect(plan.actions).toEqual([]);
  });

  it('is detected from the rollback deployment alone once the failed one drained away', () => {
    const h = rolledBack();
    h.service.deployments = h.service.deployments.slice(0, 1);
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(kinds(plan)).toEqual(['TagResource']);
    expect(plan.hold).toMatchObject({ state: 'started', record: { kind: 'circuit-breaker' } });
  });

  it('is detected from the failed tasks alone once the rollback finished, with their reason', () => {
    const h = rolledBack();
    settle(h);
    h.service.settings.deploymentConfiguration = { deploymentCircuitBreaker: { enable: true, rollback: true } };
    expect(kinds(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }))).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    h.service.failedTasks = [
      { taskDefinitionArn: h.bad, reason: 'CannotPullContainerError: not found' },
      { taskDefinitionArn: h.good, reason: 'Essential container in task exited' },
    ];
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(kinds(plan)).toEqual(['TagResource']);
    expect(plan.hold).toMatchObject({ state: 'started', record: { kind: 'circuit-breaker', taskDefinitionRevision: 2, message: 'CannotPullContainerError: not found' } });
  });

  it('names a CloudWatch alarm rollback as such', () => {
    const h = rolledBack();
    h.service.deployments[0]!.rolloutStateReason = 'CloudWatch alarm(s) web-5xx in ALARM state: rolling back to deploymentId ecs-svc/1.';
    expect(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).hold).toMatchObject({ record: { kind: 'alarm' } });
  });

  it('holds a deployment FAILED without rollback, and one past progressDeadlineSeconds', () => {
    const h = rolledBack();
    h.service.taskDefinition = h.bad;
    h.service.deployments = [deployment('PRIMARY', h.bad, 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.')];
    expect(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).hold).toMatchObject({ state: 'started', record: { kind: 'failed' } });

    h.service.deployments = [deployment('PRIMARY', h.bad, 'IN_PROGRESS', 'ECS deployment ecs-svc/2 in progress.', NOW / 1000 - 120)];
    const rolling = (deadline: number) => withImage('2.0.0', { rollout: { strategy: 'Rolling', rolling: { ...BREAKER, progressDeadlineSeconds: deadline } } });
    expect(planService(rolling(300), h.aws.state, { revision: 'c2', now: NOW }).hold).toBeUndefined();
    const late = planService(rolling(60), h.aws.state, { revision: 'c2', now: NOW });
    expect(late.hold).toMatchObject({ state: 'started', record: { kind: 'deadline', message: 'not completed within 60s: 0/3 tasks running' } });
    // progressDeadlineSeconds is the controller's: it never reaches ECS's deploymentConfiguration.
    expect(JSON.stringify(late.actions)).not.toContain('progressDeadlineSeconds');
  });

  it('an unreadable record is not obeyed and not guessed at: nothing is deployed, and it says so', () => {
    const h = rolledBack();
    settle(h);
    h.service.tags[FAILURE_TAG] = 'v=1 h=not-a-hash';
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(plan.actions).toEqual([]);
    expect(plan.hold?.state).toBe('unreadable');
    expect(plan.messages.join(' ')).toContain('is not obeyed (no message (m=))');
  });

  it('a service that never failed plans exactly as before', () => {
    const h = rolledBack();
    h.service.deployments = [deployment('PRIMARY', h.good, 'COMPLETED', 'ECS deployment ecs-svc/1 completed.')];
    const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW });
    expect(kinds(plan)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(plan.hold).toBeUndefined();
  });

  describe('with the controller\'s record key (src/integrity)', () => {
    const key = RecordKey.fromSecret('0123456789abcdef0123456789abcdef-hold');
    const other = RecordKey.fromSecret('another key, at least thirty-two characters');

    it('signs the record it writes, and holds while the signature verifies', () => {
      const h = rolledBack();
      const plan = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW, recordKey: key });
      h.aws.apply(plan.actions);
      const value = h.service.tags[FAILURE_TAG]!;
      expect(value.length).toBeLessThanOrEqual(256);
      expect(readFailureTag(value, h.service.serviceArn, key)).toMatchObject({ ok: true, record: { kind: 'circuit-breaker' } });
      settle(h);
      expect(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW, recordKey: key }).hold?.state).toBe('held');
    });

    it('a record that does not verify (unsigned, or signed with another key) is not obeyed: paused, and it says why', () => {
      const h = rolledBack();
      h.aws.apply(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW }).actions);
      settle(h);
      const unsigned = planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW, recordKey: key });
      expect(unsigned.actions).toEqual([]);
      expect(unsigned.hold).toMatchObject({ state: 'unreadable', error: expect.stringContaining('carries no signature') });
      expect(unsigned.messages.join(' ')).toContain('is not obeyed');
      const forged = planService(withImage('2.0.0'), rolledBack().aws.state, { revision: 'c2', now: NOW, recordKey: other }).actions[0];
      if (forged?.kind !== 'TagResource') throw new Error('expected the failure record write');
      h.service.tags[FAILURE_TAG] = forged.input.tags?.[0]?.value ?? '';
      expect(planService(withImage('2.0.0'), h.aws.state, { revision: 'c2', now: NOW, recordKey: key }).hold).toMatchObject({ state: 'unreadable', error: expect.stringContaining('does not match') });
    });
  });
});

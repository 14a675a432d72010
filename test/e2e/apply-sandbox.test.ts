import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, UntagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, PutScalingPolicyCommand } from '@aws-sdk/client-application-auto-scaling';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { hasDifferences, hasFailures } from '../../src/reconcile/index.js';
import { mutatingOperations, startHarness } from './apply-harness.js';
import type { Harness } from './apply-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.stop();
});

/** Applies, returning the mutating calls the sandbox saw and the report's own count. */
async function applyAndCount() {
  const since = await h.lastSeq();
  const mark = h.sent.length;
  const report = await h.apply();
  const mutating = mutatingOperations(await h.sandboxCalls(since));
  return { report, mutating, sent: h.sent.slice(mark).filter((call) => !/^(Describe|List|Get)/.test(call.operation)) };
}

describe('apply against the sandbox seeded for desired-state/', () => {
  it('creates everything on an empty sandbox; a second apply makes zero mutating calls and diff is clean', async () => {
    const first = await applyAndCount();
    expect(first.report.services.map((s) => [s.key, s.status])).toEqual([
      ['demo/checkout', 'changed'],
      ['demo/payments', 'changed'],
      ['demo/web', 'changed'],
    ]);
    expect(first.mutating.filter((op) => op === 'ecs.CreateService')).toHaveLength(3);
    expect(hasFailures(first.report)).toBe(false);

    const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web', 'checkout'], include: ['TAGS'] }));
    expect(described.services?.map((s) => [s.serviceName, s.deploymentController?.type])).toEqual([
      ['web', 'ECS'],
      ['checkout', 'EXTERNAL'],
    ]);
    expect(described.services?.[0]?.tags).toContainEqual({ key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' });
    ecs.destroy();

    const second = await applyAndCount();
    expect(second.mutating).toEqual([]);
    expect(second.report.calls?.mutating).toBe(0);
    expect(second.report.services.every((s) => s.status === 'in-sync')).toBe(true);
    // Canary and blue-green task sets wait for the rollout engine: reported, and not an error.
    const checkout = second.report.services.find((s) => s.key === 'demo/checkout');
    expect(checkout?.deferred.length).toBeGreaterThan(0);
    expect(hasFailures(second.report)).toBe(false);

    const diff = await h.diff();
    expect(hasDifferences(diff)).toBe(false);
  });

  it('a new image costs exactly RegisterTaskDefinition + UpdateService', async () => {
    await h.apply();
    await h.edit('services/web.yaml', (doc) => doc.setIn(['spec', 'taskDefinition', 'containerDefinitions', 0, 'image'], '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.1.0'));
    const { report, mutating, sent } = await applyAndCount();
    expect(mutating).toEqual(['ecs.RegisterTaskDefinition', 'ecs.UpdateService']);
    expect(report.calls?.mutating).toBe(2);
    const update = sent.find((call) => call.operation === 'UpdateService');
    expect(update?.input.taskDefinition).toMatch(/:task-definition\/web:2$/);
    expect(report.services.find((s) => s.key === 'demo/web')?.status).toBe('changed');
  });

  it('a new desiredCount on a service without autoscaling costs one UpdateService carrying only desiredCount', async () => {
    await h.apply();
    await h.edit('services/payments.yaml', (doc) => doc.setIn(['spec', 'desiredCount'], 3));
    const { mutating, sent } = await applyAndCount();
    expect(mutating).toEqual(['ecs.UpdateService']);
    expect(sent.map((call) => call.input)).toEqual([{ cluster: 'demo', service: 'payments', desiredCount: 3 }]);
  });

  it('a new target-tracking target value costs exactly one PutScalingPolicy', async () => {
    await h.apply();
    await h.edit('services/web.yaml', (doc) => doc.setIn(['spec', 'autoscaling', 'policies', 0, 'targetTracking', 'targetValue'], 60));
    const { mutating, sent } = await applyAndCount();
    expect(mutating).toEqual(['autoscaling.PutScalingPolicy']);
    expect(sent[0]?.input).toMatchObject({ PolicyName: 'cpu70', TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 } });
  });

  it('corrects out-of-band drift (count, tag, scaling policy) with one call each', async () => {
    await h.apply();
    const config = sandboxClientConfig(h.sandbox.endpoint);
    const ecs = new ECSClient(config);
    const autoscaling = new ApplicationAutoScalingClient(config);
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'payments', desiredCount: 5 }));
    await ecs.send(new UntagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web', tagKeys: ['team'] }));
    await autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: 'cpu70',
        ServiceNamespace: 'ecs',
        ResourceId: 'service/demo/web',
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 90, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
      }),
    );
    ecs.destroy();
    autoscaling.destroy();

    const { report, mutating } = await applyAndCount();
    expect([...mutating].sort()).toEqual(['autoscaling.PutScalingPolicy', 'ecs.TagResource', 'ecs.UpdateService']);
    expect(report.services.filter((s) => s.status === 'changed').map((s) => s.key)).toEqual(['demo/payments', 'demo/web']);
    expect((await applyAndCount()).mutating).toEqual([]);
  });

  it('a task definition copied field for field from describe-task-definition diffs clean, as does the minimal form', async () => {
    await h.apply();
    expect(hasDifferences(await h.diff())).toBe(false);
    const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    ecs.destroy();
    const described = JSON.parse(JSON.stringify(taskDefinition)) as Record<string, unknown>;
    expect(described).toMatchObject({ revision: 1, status: 'ACTIVE', compatibilities: expect.arrayContaining(['FARGATE']) });
    await h.edit('services/web.yaml', (doc) => doc.setIn(['spec', 'taskDefinition'], doc.createNode(described)));
    const spelledOut = await h.diff();
    expect(spelledOut.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(spelledOut.services.find((s) => s.key === 'demo/web')?.changes).toEqual([]);

    // The minimal form: what AWS defaults (essential, tcp, health check timings) left out.
    await h.edit('services/web.yaml', (doc) => {
      for (const field of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy']) doc.deleteIn(['spec', 'taskDefinition', field]);
      const container = ['spec', 'taskDefinition', 'containerDefinitions', 0];
      for (const field of ['essential', 'cpu', 'volumesFrom', 'systemControls']) doc.deleteIn([...container, field]);
      doc.deleteIn([...container, 'portMappings', 0, 'protocol']);
      doc.deleteIn([...container, 'portMappings', 0, 'hostPort']);
      for (const field of ['interval', 'timeout', 'retries']) doc.deleteIn([...container, 'healthCheck', field]);
    });
    const minimal = await h.diff();
    expect(minimal.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(minimal.services.find((s) => s.key === 'demo/web')?.changes).toEqual([]);
    expect(hasDifferences(minimal)).toBe(false);
  });
});

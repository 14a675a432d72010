import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  ListTagsForResourceCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsService, DEMO_SEED, startServicesSandbox, type ServicesSandbox } from './sandbox-elbv2-fixture.js';

const target = (service: string) => ({ ServiceNamespace: 'ecs' as const, ResourceId: `service/prod/${service}`, ScalableDimension: 'ecs:service:DesiredCount' as const });

let env: ServicesSandbox;
let aas: ApplicationAutoScalingClient;
let ecs: ECSClient;

async function desiredCount(service: string): Promise<number | undefined> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [service] }));
  return services?.[0]?.desiredCount;
}

beforeAll(async () => {
  env = await startServicesSandbox({
    ...DEMO_SEED,
    autoscaling: { simulateTargetTracking: true },
    behaviours: [{ image: 'busy:*', cpuPercent: 90 }],
  });
  aas = new ApplicationAutoScalingClient(env.config);
  ecs = new ECSClient(env.config);
  for (const name of ['checkout', 'payments', 'orders']) await createEcsService(env.config, { cluster: 'prod', name, image: `${name}:1`, count: 2 });
  await createEcsService(env.config, { cluster: 'prod', name: 'busy', image: 'busy:1', count: 2 });
  env.advance(10);
});

afterAll(async () => {
  aas.destroy();
  ecs.destroy();
  await env.sandbox.stop();
});

describe('Application Auto Scaling over the SDK: scalable targets', () => {
  it('registers (upsert), describes with AWS-filled fields, and pages', async () => {
    const { ScalableTargetARN } = await aas.send(new RegisterScalableTargetCommand({ ...target('checkout'), MinCapacity: 2, MaxCapacity: 10, Tags: { team: 'payments' } }));
    expect(ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target\/[0-9a-f]{28}$/);
    await aas.send(new RegisterScalableTargetCommand({ ...target('checkout'), MaxCapacity: 12, SuspendedState: { DynamicScalingInSuspended: true } }));
    await aas.send(new RegisterScalableTargetCommand({ ...target('payments'), MinCapacity: 1, MaxCapacity: 4 }));
    const { ScalableTargets } = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/prod/checkout'] }));
    expect(ScalableTargets?.[0]).toMatchObject({
      ResourceId: 'service/prod/checkout',
      MinCapacity: 2,
      MaxCapacity: 12,
      ScalableTargetARN,
      RoleARN: 'arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
    });
    expect(ScalableTargets?.[0]?.CreationTime).toBeInstanceOf(Date);
    const first = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', MaxResults: 1 }));
    const second = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', MaxResults: 1, NextToken: first.NextToken }));
    expect([first.ScalableTargets?.[0]?.ResourceId, second.ScalableTargets?.[0]?.ResourceId]).toEqual(['service/prod/checkout', 'service/prod/payments']);
  });

  it('validates the ECS service and the capacities with AWS exceptions', async () => {
    const missing = await aas.send(new RegisterScalableTargetCommand({ ...target('ghost'), MinCapacity: 1, MaxCapacity: 2 })).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(ValidationException);
    expect((missing as Error).message).toBe("ECS service doesn't exist: service/prod/ghost");
    await expect(aas.send(new RegisterScalableTargetCommand({ ...target('orders'), MinCapacity: 5, MaxCapacity: 2 }))).rejects.toBeInstanceOf(ValidationException);
    await expect(aas.send(new DeregisterScalableTargetCommand(target('orders')))).rejects.toBeInstanceOf(ObjectNotFoundException);
    await expect(aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: Array.from({ length: 51 }, (_, i) => `service/prod/s${i}`) }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('tags, untags and lists tags by the scalable target ARN', async () => {
    const { ScalableTargets } = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/prod/checkout'] }));
    const arn = ScalableTargets![0]!.ScalableTargetARN!;
    await aas.send(new TagResourceCommand({ ResourceARN: arn, Tags: { 'ecs-reconciler:managed-by': 'ecs-reconciler' } }));
    await aas.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['team'] }));
    expect((await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual({ 'ecs-reconciler:managed-by': 'ecs-reconciler' });
  });
});

describe('Application Auto Scaling over the SDK: scaling policies', () => {
  it('puts target tracking and step policies, with the ARN and alarms AWS returns', async () => {
    const cpu = await aas.send(
      new PutScalingPolicyCommand({
        ...target('checkout'),
        PolicyName: 'cpu70',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
      }),
    );
    expect(cpu.PolicyARN).toMatch(/^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/prod\/checkout:policyName\/cpu70$/);
    expect(cpu.Alarms?.map((a) => a.AlarmName)).toEqual([expect.stringMatching(/^TargetTracking-service\/prod\/checkout-AlarmHigh-/), expect.stringMatching(/^TargetTracking-service\/prod\/checkout-AlarmLow-/)]);
    await aas.send(
      new PutScalingPolicyCommand({
        ...target('checkout'),
        PolicyName: 'requests',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 1000,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: 'app/demo-alb/50dc6c495c0c9188/targetgroup/checkout-blue/73e2d6bc24d8a067' },
        },
      }),
    );
    await aas.send(
      new PutScalingPolicyCommand({
        ...target('checkout'),
        PolicyName: 'step',
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], Cooldown: 60 },
      }),
    );
    const first = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/prod/checkout', MaxResults: 2 }));
    expect(first.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(['cpu70', 'requests']);
    expect(first.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration).toEqual({
      TargetValue: 70,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleInCooldown: 300,
      ScaleOutCooldown: 60,
    });
    const rest = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/prod/checkout', NextToken: first.NextToken }));
    expect(rest.ScalingPolicies?.map((p) => p.PolicyType)).toEqual(['StepScaling']);
    await aas.send(new DeleteScalingPolicyCommand({ ...target('checkout'), PolicyName: 'step' }));
    await expect(aas.send(new DeleteScalingPolicyCommand({ ...target('checkout'), PolicyName: 'step' }))).rejects.toBeInstanceOf(ObjectNotFoundException);
  });

  it('rejects a policy without a scalable target, a missing ResourceLabel and MaxResults above 10', async () => {
    const tracking = { PolicyName: 'p', PolicyType: 'TargetTrackingScaling' as const };
    await expect(
      aas.send(new PutScalingPolicyCommand({ ...target('orders'), ...tracking, TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } })),
    ).rejects.toBeInstanceOf(ObjectNotFoundException);
    await expect(
      aas.send(new PutScalingPolicyCommand({ ...target('checkout'), ...tracking, TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' } } })),
    ).rejects.toThrow(/ResourceLabel is required/);
    await expect(aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', MaxResults: 11 }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('moves desiredCount from simulated CPU when target tracking simulation is on', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target('busy'), MinCapacity: 1, MaxCapacity: 5 }));
    await aas.send(
      new PutScalingPolicyCommand({
        ...target('busy'),
        PolicyName: 'cpu45',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 45, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
      }),
    );
    expect(await desiredCount('busy')).toBe(2);
    env.advance(60, 5);
    // 2 tasks at 90% CPU against a 45% target: ceil(2 * 90 / 45) = 4.
    expect(await desiredCount('busy')).toBe(4);
  });
});

describe('Application Auto Scaling over the SDK: scheduled actions', () => {
  it('fires at its time in simulated time and sets the new range', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target('orders'), MinCapacity: 1, MaxCapacity: 10 }));
    const at = new Date(env.clock.now() + 120_000).toISOString().slice(0, 19);
    await aas.send(new PutScheduledActionCommand({ ...target('orders'), ScheduledActionName: 'peak', Schedule: `at(${at})`, ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 10 } }));
    const { ScheduledActions } = await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/prod/orders' }));
    expect(ScheduledActions?.[0]).toMatchObject({ ScheduledActionName: 'peak', Schedule: `at(${at})`, ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 10 } });
    expect(ScheduledActions?.[0]?.ScheduledActionARN).toMatch(/:scheduledAction:[0-9a-f-]{36}:resource\/ecs\/service\/prod\/orders:scheduledActionName\/peak$/);
    const minCapacity = async () => (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/prod/orders'] }))).ScalableTargets?.[0]?.MinCapacity;
    env.advance(110, 10);
    expect(await minCapacity()).toBe(1);
    env.advance(10, 10);
    expect(await minCapacity()).toBe(6);
  });

  it('rejects a bad schedule and deletes actions, then the target with them', async () => {
    await expect(aas.send(new PutScheduledActionCommand({ ...target('orders'), ScheduledActionName: 'bad', Schedule: 'every(5 minutes)' }))).rejects.toBeInstanceOf(ValidationException);
    await aas.send(new PutScheduledActionCommand({ ...target('orders'), ScheduledActionName: 'nightly', Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Berlin', ScalableTargetAction: { MinCapacity: 1 } }));
    await aas.send(new DeleteScheduledActionCommand({ ...target('orders'), ScheduledActionName: 'nightly' }));
    await expect(aas.send(new DeleteScheduledActionCommand({ ...target('orders'), ScheduledActionName: 'nightly' }))).rejects.toBeInstanceOf(ObjectNotFoundException);
    await aas.send(new DeregisterScalableTargetCommand(target('orders')));
    const { ScheduledActions } = await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/prod/orders' }));
    expect(ScheduledActions).toEqual([]);
  });
});

describe('seed sections autoscaling and cloudwatch', () => {
  it('seeds scalable targets, policies, scheduled actions and alarms through the API validation', async () => {
    const seeded = await startServicesSandbox({
      ...DEMO_SEED,
      ecs: {
        clusters: ['prod'],
        taskDefinitions: [
          { family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'app', image: 'web:1', portMappings: [{ containerPort: 8080 }] }] },
        ],
        services: [{ cluster: 'prod', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'] } } }],
      },
      autoscaling: {
        scalableTargets: [{ ResourceId: 'service/prod/web', MinCapacity: 2, MaxCapacity: 8 }],
        scalingPolicies: [
          {
            ResourceId: 'service/prod/web',
            PolicyName: 'cpu60',
            PolicyType: 'TargetTrackingScaling',
            TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
          },
        ],
        scheduledActions: [{ ResourceId: 'service/prod/web', ScheduledActionName: 'night', Schedule: 'cron(0 22 * * ? *)', ScalableTargetAction: { MinCapacity: 2 } }],
      },
      cloudwatch: {
        ecsServices: [{ cluster: 'prod', service: 'web' }],
        alarms: [
          {
            AlarmName: 'web-cpu',
            Namespace: 'AWS/ECS',
            MetricName: 'CPUUtilization',
            Dimensions: [
              { Name: 'ClusterName', Value: 'prod' },
              { Name: 'ServiceName', Value: 'web' },
            ],
            Statistic: 'Average',
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 80,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        ],
      },
    });
    const client = new ApplicationAutoScalingClient(seeded.config);
    const cw = new CloudWatchClient(seeded.config);
    try {
      const { ScalingPolicies } = await client.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/prod/web' }));
      expect(ScalingPolicies?.map((p) => p.PolicyName)).toEqual(['cpu60']);
      const { ScheduledActions } = await client.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs' }));
      expect(ScheduledActions?.map((a) => a.ScheduledActionName)).toEqual(['night']);
      seeded.advance(120, 5);
      const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-cpu'] }));
      expect(MetricAlarms?.[0]?.StateValue).toBe('OK');
    } finally {
      client.destroy();
      cw.destroy();
      await seeded.sandbox.stop();
    }
  });

  it('names the failing entry of a bad seed', async () => {
    await expect(startServicesSandbox({ ...DEMO_SEED, autoscaling: { scalableTargets: [{ ResourceId: 'service/prod/ghost', MinCapacity: 1, MaxCapacity: 2 }] } })).rejects.toThrow(
      "seed autoscaling.scalableTargets[0]: ValidationException: ECS service doesn't exist: service/prod/ghost",
    );
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { planService, REGISTERED_TASK_DEFINITION, resolveTaskDefinitionRef } from '../../../src/plan/index.js';
import type { PlannedAction, ServicePlan } from '../../../src/plan/index.js';
import { ACCOUNT, DESCRIBED_TASK_DEFINITION, FakeAws, manifest, REGION, RULE_ARN, TG_ARN, TG_GREEN_ARN } from './fixtures.js';

const kinds = (plan: ServicePlan) => plan.actions.map((a) => a.kind);
const only = <K extends PlannedAction['kind']>(plan: ServicePlan, kind: K) => {
  const found = plan.actions.filter((a): a is Extract<PlannedAction, { kind: K }> => a.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Extract<PlannedAction, { kind: K }>;
};

const autoscaling = {
  minCapacity: 2,
  maxCapacity: 10,
  policies: [{ name: 'cpu70', targetTracking: { predefinedMetric: 'ECSServiceAverageCPUUtilization', targetValue: 70 } }],
};

/** Creates the service in a fake account from its own plan, as apply would. */
function deployed(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  const aws = new FakeAws();
  aws.addTargetGroup('checkout-blue', TG_ARN, { HealthCheckPath: '/', HealthCheckIntervalSeconds: 30, Matcher: { HttpCode: '200' } }, { 'deregistration_delay.timeout_seconds': '300' });
  aws.addTargetGroup('checkout-green', TG_GREEN_ARN);
  const first = planService(manifest(spec, metadata), aws.state, { revision: 'r1' });
  aws.apply(first.actions);
  aws.calls = [];
  return aws;
}

describe('planService: creating', () => {
  it('in a cluster observed not to exist: blocked, naming the cluster, and nothing registered or created', () => {
    const aws = new FakeAws();
    aws.state.missingClusters = ['prod'];
    const plan = planService(manifest(), aws.state, { revision: 'r1' });
    expect(plan.outcome).toBe('blocked');
    expect(plan.actions).toEqual([]);
    expect(plan.messages).toEqual([expect.stringMatching(/^cluster prod does not exist/)]);
  });

  it('registers the task definition, then creates the service pointing at it, with ownership tags', () => {
    const aws = new FakeAws();
    const plan = planService(manifest(), aws.state, { revision: 'r1' });
    expect(plan.outcome).toBe('changes');
    expect(kinds(plan)).toEqual(['RegisterTaskDefinition', 'CreateService']);
    const create = only(plan, 'CreateService');
    expect(create.input).toMatchObject({
      cluster: 'prod',
      serviceName: 'checkout',
      taskDefinition: REGISTERED_TASK_DEFINITION,
      desiredCount: 3,
      launchType: 'FARGATE',
      deploymentController: { type: 'ECS' },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      tags: [
        { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
        { key: 'ecs-reconciler:revision', value: 'r1' },
      ],
    });
    expect(only(plan, 'RegisterTaskDefinition').input.tags).toEqual([
      { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
      { key: 'ecs-reconciler:revision', value: 'r1' },
    ]);
  });

  it('then diffs clean, and a new commit that does not touch the service makes zero calls', () => {
    const aws = deployed({ autoscaling, loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'checkout-blue' } });
    const plan = planService(manifest({ autoscaling, loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'checkout-blue' } }), aws.state, { revision: 'r2' });
    expect(plan.changes).toEqual([]);
    expect(plan.actions).toEqual([]);
    expect(plan.outcome).toBe('in-sync');
  });

  it('starts an autoscaled service at the manifest count clamped into [min, max], then registers scaling', () => {
    const plan = planService(manifest({ desiredCount: 20, autoscaling }), new FakeAws().state, { revision: 'r1' });
    expect(kinds(plan)).toEqual(['RegisterTaskDefinition', 'CreateService', 'RegisterScalableTarget', 'PutScalingPolicy']);
    expect(only(plan, 'CreateService').input.desiredCount).toBe(10);
  });

  it('uses the instance name in the managed-by tag', () => {
    const plan = planService(manifest(), new FakeAws().state, { revision: 'r1', instance: 'staging' });
    expect(only(plan, 'CreateService').input.tags).toContainEqual({ key: 'ecs-reconciler:managed-by', value: 'staging' });
  });
});

describe('planService: minimal updates (scenarios)', () => {
  it('change only the image -> exactly RegisterTaskDefinition + UpdateService(taskDefinition)', () => {
    const aws = deployed();
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:1.5.0`;
    const changed = manifest();
    changed.spec.taskDefinition.containerDefinitions[0]!.image = image;
    const plan = planService(changed, aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(only(plan, 'UpdateService').input).toEqual({ cluster: 'prod', service: 'checkout', taskDefinition: REGISTERED_TASK_DEFINITION });
    expect(plan.changes).toEqual([{ path: ['taskDefinition', 'containerDefinitions', 0, 'image'], kind: 'changed', desired: image, observed: expect.stringContaining(':1.4.2') }]);
    aws.apply(plan.actions);
    expect(planService(changed, aws.state, { revision: 'r3' }).actions).toEqual([]);
  });

  it('change only desiredCount (no autoscaling) -> exactly one UpdateService carrying only desiredCount', () => {
    const aws = deployed();
    const plan = planService(manifest({ desiredCount: 5 }), aws.state, { revision: 'r2' });
    expect(plan.actions).toHaveLength(1);
    expect(only(plan, 'UpdateService').input).toEqual({ cluster: 'prod', service: 'checkout', desiredCount: 5 });
  });

  it('change only a target-tracking value -> exactly one PutScalingPolicy', () => {
    const aws = deployed({ autoscaling });
    const edited = { ...autoscaling, policies: [{ name: 'cpu70', targetTracking: { predefinedMetric: 'ECSServiceAverageCPUUtilization', targetValue: 60 } }] };
    const plan = planService(manifest({ autoscaling: edited }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['PutScalingPolicy']);
    expect(only(plan, 'PutScalingPolicy').input).toMatchObject({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/prod/checkout',
      ScalableDimension: 'ecs:service:DesiredCount',
      PolicyName: 'cpu70',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    });
  });

  it('out-of-band drift (count moved, tag removed, policy edited) -> one call each', () => {
    const spec = { desiredCount: 3, tags: [{ key: 'team', value: 'payments' }] };
    const aws = deployed(spec);
    aws.apply(planService(manifest({ ...spec, autoscaling }), aws.state, { revision: 'r1' }).actions);
    const service = aws.state.services['prod/checkout']!;
    service.desiredCount = 12;
    delete service.tags.team;
    aws.state.scalingPolicies['service/prod/checkout']![0]!.targetTrackingScalingPolicyConfiguration!.TargetValue = 90;

    const plan = planService(manifest({ ...spec, autoscaling }), aws.state, { revision: 'r1' });
    expect(kinds(plan).sort()).toEqual(['PutScalingPolicy', 'TagResource', 'UpdateService']);
    expect(only(plan, 'UpdateService').input).toEqual({ cluster: 'prod', service: 'checkout', desiredCount: 10 });
    expect(only(plan, 'TagResource').input.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('a manifest copied field for field from describe-task-definition diffs clean against the registered revision', () => {
    const aws = deployed();
    const registered = aws.register(DESCRIBED_TASK_DEFINITION as never, 3);
    aws.state.taskDefinitions[registered]!.definition = { ...DESCRIBED_TASK_DEFINITION };
    aws.state.services['prod/checkout']!.taskDefinition = registered;
    const pasted = planService(manifest({ taskDefinition: DESCRIBED_TASK_DEFINITION }), aws.state, { revision: 'r2' });
    expect(pasted.changes).toEqual([]);
    expect(pasted.actions).toEqual([]);
    const minimal = planService(manifest(), aws.state, { revision: 'r2' });
    expect(minimal.changes).toEqual([]);
    expect(minimal.actions).toEqual([]);
  });
});

describe('planService: desiredCount ownership', () => {
  it.each([
    ['inside [min, max]: left to the autoscaler', 7, []],
    ['below min: raised to min', 1, [{ cluster: 'prod', service: 'checkout', desiredCount: 2 }]],
    ['above max: lowered to max', 40, [{ cluster: 'prod', service: 'checkout', desiredCount: 10 }]],
  ])('autoscaled, observed count %s', (_case, observedCount, expected) => {
    const aws = deployed({ autoscaling });
    aws.state.services['prod/checkout']!.desiredCount = observedCount;
    const plan = planService(manifest({ autoscaling, desiredCount: 3 }), aws.state, { revision: 'r2' });
    expect(plan.actions.map((a) => a.input)).toEqual(expected);
  });

  it('says when the manifest desiredCount is ignored, and only then', () => {
    const aws = deployed({ autoscaling, desiredCount: 2 });
    expect(planService(manifest({ autoscaling, desiredCount: 2 }), aws.state, { revision: 'r1' }).messages).toEqual([]);
    const edited = planService(manifest({ autoscaling, desiredCount: 5 }), aws.state, { revision: 'r2' });
    expect(edited.actions).toEqual([]);
    expect(edited.messages).toEqual(['desiredCount 5 is ignored: its autoscaling owns the count (2 now, within 2..10); set autoscaling.minCapacity/maxCapacity to move it']);
  });

  it('a manifest without desiredCount leaves the count alone', () => {
    const aws = deployed();
    aws.state.services['prod/checkout']!.desiredCount = 9;
    expect(planService(manifest({ desiredCount: undefined }), aws.state, { revision: 'r2' }).actions).toEqual([]);
  });

  it('a scalable target registered outside the manifest also owns the count', () => {
    const aws = deployed();
    aws.state.scalableTargets['service/prod/checkout'] = { resourceId: 'service/prod/checkout', minCapacity: 1, maxCapacity: 20, suspendedState: { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false } };
    aws.state.services['prod/checkout']!.desiredCount = 8;
    const plan = planService(manifest({ desiredCount: 3 }), aws.state, { revision: 'r2' });
    expect(plan.actions).toEqual([]);
    expect(plan.messages).toEqual([
      "desiredCount 3 is ignored: the scalable target service/prod/checkout owns the count (8 now, within 1..20); change the scalable target's capacity to move it",
    ]);
  });
});

describe('planService: service fields', () => {
  it.each([
    ['circuit breaker on', { rollout: { strategy: 'Rolling', rolling: { deploymentCircuitBreaker: { enable: true, rollback: true } } } }, 'deploymentConfiguration'],
    ['execute command', { enableExecuteCommand: true }, 'enableExecuteCommand'],
    ['propagate tags', { propagateTags: 'SERVICE' }, 'propagateTags'],
    ['a new subnet', { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b', 'subnet-c'], securityGroups: ['sg-1'] } } }, 'networkConfiguration'],
    ['launch type to capacity providers (in place)', { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, 'capacityProviderStrategy'],
  ])('%s -> one UpdateService with only that field', (_case, spec, field) => {
    const aws = deployed();
    const plan = planService(manifest(spec), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['UpdateService']);
    expect(Object.keys(only(plan, 'UpdateService').input).sort()).toEqual(['cluster', field, 'service'].sort());
    aws.apply(plan.actions);
    expect(planService(manifest(spec), aws.state, { revision: 'r3' }).actions).toEqual([]);
  });

  it('changes the health check grace period of a load-balanced service with one UpdateService of that field', () => {
    const loadBalancer = { containerName: 'app', containerPort: 8080, targetGroup: 'checkout-blue' };
    const aws = deployed({ loadBalancer });
    const plan = planService(manifest({ loadBalancer, healthCheckGracePeriodSeconds: 60 }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['UpdateService']);
    expect(Object.keys(only(plan, 'UpdateService').input).sort()).toEqual(['cluster', 'healthCheckGracePeriodSeconds', 'service']);
  });

  it('never sends a health check grace period for a service without load balancers, which ECS rejects', () => {
    const plan = planService(manifest({ healthCheckGracePeriodSeconds: 60 }), new FakeAws().state, { revision: 'r1' });
    expect(only(plan, 'CreateService').input).not.toHaveProperty('healthCheckGracePeriodSeconds');
  });

  it('sends the full deployment configuration with explicit alarm defaults', () => {
    const aws = deployed();
    const plan = planService(manifest({ rollout: { strategy: 'Rolling', rolling: { deploymentCircuitBreaker: { enable: true, rollback: true } } } }), aws.state, { revision: 'r2' });
    expect(only(plan, 'UpdateService').input.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'ROLLING',
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: [], enable: false, rollback: false },
    });
  });

  it('undoes execute command switched on by hand', () => {
    const aws = deployed();
    aws.state.services['prod/checkout']!.settings.enableExecuteCommand = true;
    expect(only(planService(manifest(), aws.state, { revision: 'r2' }), 'UpdateService').input).toEqual({ cluster: 'prod', service: 'checkout', enableExecuteCommand: false });
  });

  it('clears placement constraints the manifest no longer has', () => {
    const aws = deployed({ placementConstraints: [{ type: 'distinctInstance' }] });
    expect(only(planService(manifest(), aws.state, { revision: 'r2' }), 'UpdateService').input).toEqual({ cluster: 'prod', service: 'checkout', placementConstraints: [] });
  });

  it('keeps the cluster default capacity provider strategy when the manifest names no launch type', () => {
    const aws = deployed();
    const settings = aws.state.services['prod/checkout']!.settings;
    delete settings.launchType;
    settings.capacityProviderStrategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }];
    expect(planService(manifest({ launchType: undefined }), aws.state, { revision: 'r2' }).actions).toEqual([]);
  });

  it('Native passes ECS blue/green settings through, with the alternate target group resolved to its ARN', () => {
    const native = {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 5,
      advancedConfiguration: { alternateTargetGroup: 'checkout-green', productionListenerRule: RULE_ARN, roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfra` },
      lifecycleHooks: [{ hookTargetArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:check`, roleArn: `arn:aws:iam::${ACCOUNT}:role/hooks`, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    };
    const lb = { containerName: 'app', containerPort: 8080, targetGroup: 'checkout-blue' };
    const aws = deployed({ loadBalancer: lb });
    const plan = planService(manifest({ loadBalancer: lb, rollout: { strategy: 'Native', native } }), aws.state, { revision: 'r2' });
    const input = only(plan, 'UpdateService').input;
    expect(input.deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5, lifecycleHooks: native.lifecycleHooks });
    expect(input.loadBalancers).toEqual([
      {
        targetGroupArn: TG_ARN,
        containerName: 'app',
        containerPort: 8080,
        advancedConfiguration: { alternateTargetGroupArn: TG_GREEN_ARN, productionListenerRule: RULE_ARN, roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfra` },
      },
    ]);
    aws.apply(plan.actions);
    expect(planService(manifest({ loadBalancer: lb, rollout: { strategy: 'Native', native } }), aws.state, { revision: 'r3' }).actions).toEqual([]);
  });
});

describe('planService: ownership and replacement', () => {
  let aws: FakeAws;
  beforeEach(() => {
    aws = deployed();
  });

  it('an existing service without the managed-by tag is a conflict with no actions', () => {
    aws.state.services['prod/checkout']!.tags = {};
    const plan = planService(manifest({ desiredCount: 9 }), aws.state, { revision: 'r2' });
    expect(plan.outcome).toBe('conflict');
    expect(plan.actions).toEqual([]);
    expect(plan.messages[0]).toMatch(/ecs-reconciler\/adopt/);
  });

  it('a service still being deleted (DRAINING) blocks the plan until it is gone', () => {
    aws.state.services['prod/checkout']!.status = 'DRAINING';
    const plan = planService(manifest({ desiredCount: 9 }), aws.state, { revision: 'r2' });
    expect(plan).toMatchObject({ outcome: 'blocked', actions: [] });
    expect(plan.messages[0]).toMatch(/DRAINING/);
  });

  it('a service managed by another instance is a conflict', () => {
    aws.state.services['prod/checkout']!.tags['ecs-reconciler:managed-by'] = 'other';
    expect(planService(manifest(), aws.state, { revision: 'r2' }).outcome).toBe('conflict');
  });

  it('adopts with the annotation: only the ownership tags are written', () => {
    aws.state.services['prod/checkout']!.tags = {};
    const plan = planService(manifest({}, { annotations: { 'ecs-reconciler/adopt': 'true' } }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['TagResource']);
    expect(only(plan, 'TagResource').input.tags).toEqual([
      { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
      { key: 'ecs-reconciler:revision', value: 'r2' },
    ]);
  });

  it('adopting a service that also differs tags it before changing it, so a tag-scoped IAM policy allows the change', () => {
    aws.state.services['prod/checkout']!.tags = {};
    const plan = planService(manifest({ desiredCount: 9 }, { annotations: { 'ecs-reconciler/adopt': 'true' } }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['TagResource', 'UpdateService']);
  });

  it('a managed service that differs is changed first, its revision tag written after', () => {
    const plan = planService(manifest({ desiredCount: 9, tags: [{ key: 'team', value: 'payments' }] }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['UpdateService', 'TagResource']);
  });

  it.each([
    ['launch type FARGATE -> EC2', { launchType: 'EC2' }, 'launchType'],
    ['capacity providers -> launch type', { launchType: 'FARGATE' }, 'capacityProviderStrategy'],
    ['deployment controller ECS -> EXTERNAL (Canary)', { rollout: { strategy: 'Canary', canary: { stableTargetGroup: 'checkout-blue', canaryTargetGroup: 'checkout-green', listenerRule: RULE_ARN, steps: [{ setWeight: 10 }] } } }, 'deploymentController'],
  ])('%s requires replacement and plans nothing without the annotation', (name, spec, field) => {
    if (name.startsWith('capacity providers')) {
      const settings = aws.state.services['prod/checkout']!.settings;
      delete settings.launchType;
      settings.capacityProviderStrategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    }
    const plan = planService(manifest(spec), aws.state, { revision: 'r2' });
    expect(plan.outcome).toBe('requires-replacement');
    expect(plan.actions).toEqual([]);
    expect(plan.messages.join()).toContain(field);
    expect(plan.changes.some((c) => c.path[1] === field)).toBe(true);
  });

  it('with allow-replacement: delete, then register and create', () => {
    const plan = planService(manifest({ launchType: 'EC2' }, { annotations: { 'ecs-reconciler/allow-replacement': 'true' } }), aws.state, { revision: 'r2' });
    expect(plan.outcome).toBe('changes');
    expect(kinds(plan)).toEqual(['DeleteService', 'RegisterTaskDefinition', 'CreateService']);
    expect(only(plan, 'DeleteService').input).toEqual({ cluster: 'prod', service: 'checkout', force: true });
  });
});

describe('planService: tags', () => {
  it('adds a manifest tag with one TagResource that also moves the revision tag', () => {
    const aws = deployed();
    const plan = planService(manifest({ tags: [{ key: 'team', value: 'payments' }] }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['TagResource']);
    expect(only(plan, 'TagResource').input.tags).toEqual([
      { key: 'ecs-reconciler:revision', value: 'r2' },
      { key: 'team', value: 'payments' },
    ]);
  });

  it('removes a tag the manifest does not have, but never an aws: tag nor the rollout engine\'s state tags', () => {
    const aws = deployed();
    Object.assign(aws.state.services['prod/checkout']!.tags, { stray: 'x', 'aws:cloudformation:stack-name': 's', 'ecs-reconciler:step': '2' });
    const plan = planService(manifest(), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['UntagResource']);
    expect(only(plan, 'UntagResource').input.tagKeys).toEqual(['stray']);
  });
});

describe('planService: autoscaling', () => {
  it('re-registers the scalable target only when min/max/suspended state differ', () => {
    const aws = deployed({ autoscaling });
    expect(planService(manifest({ autoscaling: { ...autoscaling, maxCapacity: 12 } }), aws.state, { revision: 'r2' }).actions.map((a) => a.kind)).toEqual(['RegisterScalableTarget']);
    const suspended = { ...autoscaling, suspendedState: { scheduledScalingSuspended: true } };
    const plan = planService(manifest({ autoscaling: suspended }), aws.state, { revision: 'r2' });
    expect(only(plan, 'RegisterScalableTarget').input.SuspendedState).toEqual({ DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: true });
  });

  it('deletes a policy the manifest dropped', () => {
    const aws = deployed({ autoscaling });
    const plan = planService(manifest({ autoscaling: { ...autoscaling, policies: [] } }), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['DeleteScalingPolicy']);
    expect(only(plan, 'DeleteScalingPolicy').input).toEqual({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: 'service/prod/checkout', PolicyName: 'cpu70' });
  });

  it('puts step scaling policies and scheduled actions, then finds them in sync (times compared as instants)', () => {
    const spec = {
      autoscaling: {
        minCapacity: 1,
        maxCapacity: 6,
        policies: [{ name: 'steps', stepScaling: { adjustmentType: 'ChangeInCapacity', stepAdjustments: [{ metricIntervalLowerBound: 10, scalingAdjustment: 2 }, { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 }] } }],
        scheduledActions: [{ name: 'night', schedule: 'cron(0 22 * * ? *)', timezone: 'Europe/Berlin', startTime: '2026-12-01T00:00:00+01:00', minCapacity: 1, maxCapacity: 2 }],
      },
    };
    const aws = deployed(spec);
    expect(aws.state.scheduledActions['service/prod/checkout']?.[0]?.startTime).toBe('2026-11-30T23:00:00.000Z');
    expect(planService(manifest(spec), aws.state, { revision: 'r2' }).actions).toEqual([]);
    const dropped = planService(manifest({ autoscaling: { ...spec.autoscaling, scheduledActions: [] } }), aws.state, { revision: 'r2' });
    expect(kinds(dropped)).toEqual(['DeleteScheduledAction']);
  });
});

describe('planService: target groups', () => {
  const lb = (targetGroupSettings?: Record<string, unknown>) => ({ loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'checkout-blue', ...(targetGroupSettings ? { targetGroupSettings } : {}) } });

  it('modifies only the declared health check fields that differ', () => {
    const aws = deployed(lb());
    const plan = planService(manifest(lb({ healthCheckPath: '/health', healthCheckIntervalSeconds: 30, matcher: { httpCode: '200-299' } })), aws.state, { revision: 'r2' });
    expect(kinds(plan)).toEqual(['ModifyTargetGroup']);
    expect(only(plan, 'ModifyTargetGroup').input).toEqual({ TargetGroupArn: TG_ARN, HealthCheckPath: '/health', Matcher: { HttpCode: '200-299' } });
  });

  it('modifies only the declared attributes that differ, as strings', () => {
    const aws = deployed(lb());
    const plan = planService(manifest(lb({ attributes: { 'deregistration_delay.timeout_seconds': 30, 'stickiness.enabled': false } })), aws.state, { revision: 'r2' });
    expect(only(plan, 'ModifyTargetGroupAttributes').input).toEqual({
      TargetGroupArn: TG_ARN,
      Attributes: [
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'stickiness.enabled', Value: 'false' },
      ],
    });
  });

  it('declares nothing, touches nothing', () => {
    const aws = deployed(lb());
    expect(planService(manifest(lb()), aws.state, { revision: 'r2' }).actions).toEqual([]);
  });

  it('a target group that does not exist blocks the plan', () => {
    const plan = planService(manifest({ loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'nope' } }), new FakeAws().state, { revision: 'r1' });
    expect(plan.outcome).toBe('blocked');
    expect(plan.actions).toEqual([]);
    expect(plan.messages[0]).toContain('nope');
  });
});

describe('planService: Canary/BlueGreen shell', () => {
  const canary = {
    rollout: { strategy: 'Canary', canary: { stableTargetGroup: 'checkout-blue', canaryTargetGroup: 'checkout-green', listenerRule: RULE_ARN, steps: [{ setWeight: 10 }, { pause: {} }] } },
    autoscaling,
  };

  it('creates an EXTERNAL service without a task definition and leaves the version to the rollout engine', () => {
    const aws = new FakeAws();
    aws.addTargetGroup('checkout-blue', TG_ARN);
    aws.addTargetGroup('checkout-green', TG_GREEN_ARN);
    const plan = planService(manifest(canary), aws.state, { revision: 'r1' });
    expect(kinds(plan)).toEqual(['CreateService', 'RegisterScalableTarget', 'PutScalingPolicy']);
    const input = only(plan, 'CreateService').input;
    expect(input.deploymentController).toEqual({ type: 'EXTERNAL' });
    expect(input).not.toHaveProperty('taskDefinition');
    expect(input).not.toHaveProperty('launchType');
    expect(input).not.toHaveProperty('deploymentConfiguration');
    expect(plan.deferred.map((c) => c.path)).toEqual([['taskDefinition']]);
    expect(plan.messages.join()).toContain('rollout engine');
  });

  it('marks a new image as handled by the rollout engine: no action, outcome changes', () => {
    const aws = new FakeAws();
    aws.addTargetGroup('checkout-blue', TG_ARN);
    aws.addTargetGroup('checkout-green', TG_GREEN_ARN);
    aws.apply(planService(manifest(canary), aws.state, { revision: 'r1' }).actions);
    const stable = aws.register(manifest().spec.taskDefinition as never);
    aws.state.services['prod/checkout']!.taskSets = [
      { id: 'ts-1', taskSetArn: 'arn:ts-1', status: 'PRIMARY', taskDefinition: stable, computedDesiredCount: 2, runningCount: 2, pendingCount: 0, loadBalancers: [], tags: {} },
    ];
    expect(planService(manifest(canary), aws.state, { revision: 'r2' })).toMatchObject({ outcome: 'in-sync', actions: [], deferred: [] });
    const next = manifest(canary);
    next.spec.taskDefinition.containerDefinitions[0]!.image = 'repo/checkout:2';
    const plan = planService(next, aws.state, { revision: 'r2' });
    expect(plan.actions).toEqual([]);
    expect(plan.outcome).toBe('changes');
    expect(plan.deferred[0]?.path).toEqual(['taskDefinition', 'containerDefinitions', 0, 'image']);
  });
});

describe('planService: old task definition revisions', () => {
  it('is off by default', () => {
    const aws = deployed();
    aws.state.taskDefinitionRevisions.checkout = ['a:1', 'a:2'];
    expect(planService(manifest(), aws.state, { revision: 'r2' }).actions).toEqual([]);
  });

  it('keeps the newest N (counting the one being registered) and never one in use', () => {
    const aws = deployed();
    const current = aws.state.services['prod/checkout']!.taskDefinition;
    const old = (n: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:${n}`;
    aws.state.taskDefinitionRevisions.checkout = [old(97), old(98), old(99), current];
    aws.state.services['prod/checkout']!.deployments = [{ id: 'd', status: 'ACTIVE', taskDefinition: old(98), desiredCount: 1, runningCount: 1, pendingCount: 0 }];
    const changed = manifest();
    changed.spec.taskDefinition.containerDefinitions[0]!.image = 'repo/checkout:2';
    const plan = planService(changed, aws.state, { revision: 'r2', keepTaskDefinitionRevisions: 2 });
    expect(kinds(plan)).toEqual(['RegisterTaskDefinition', 'UpdateService', 'DeregisterTaskDefinition', 'DeregisterTaskDefinition']);
    expect(plan.actions.slice(2).map((a) => a.input)).toEqual([{ taskDefinition: old(97) }, { taskDefinition: old(99) }]);
  });
});

describe('identity and references', () => {
  it('a cluster given by ARN plans against the same service', () => {
    const aws = deployed();
    const plan = planService(manifest({ cluster: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod` }), aws.state, { revision: 'r2' });
    expect(plan.key).toBe('prod/checkout');
    expect(plan.outcome).toBe('in-sync');
  });

  it('resolveTaskDefinitionRef swaps the placeholder for the registered ARN, and refuses without one', () => {
    const input = { cluster: 'prod', service: 'checkout', taskDefinition: REGISTERED_TASK_DEFINITION };
    expect(resolveTaskDefinitionRef(input, 'arn:td:7')).toEqual({ cluster: 'prod', service: 'checkout', taskDefinition: 'arn:td:7' });
    expect(resolveTaskDefinitionRef({ cluster: 'prod', taskDefinition: 'arn:td:1' }, undefined)).toEqual({ cluster: 'prod', taskDefinition: 'arn:td:1' });
    expect(() => resolveTaskDefinitionRef(input, undefined)).toThrow(/none was registered/);
  });
});

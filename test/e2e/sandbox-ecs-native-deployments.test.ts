import { PutMetricAlarmCommand, SetAlarmStateCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeServices, TaskDefinitionCache } from '../../src/observe/index.js';
import { nativeDeploymentLine } from '../../src/rollout/engine/index.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { awsvpc, fargateTaskDefinition, rejection, setBehaviour } from './sandbox-ecs-fixture.js';

let sandbox: RunningSandbox;
let clock: ManualClock;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;
let cloudwatch: CloudWatchClient;
let autoscaling: ApplicationAutoScalingClient;
const MINUTE = 60_000;
const ROLE = 'arn:aws:iam::123456789012:role/ecs-infrastructure';

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock });
  const config = sandboxClientConfig(sandbox.endpoint);
  ecs = new ECSClient(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  cloudwatch = new CloudWatchClient(config);
  autoscaling = new ApplicationAutoScalingClient(config);
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  for (const version of [1, 2]) await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web', `web:${version}`)));
});

afterAll(async () => {
  ecs.destroy();
  elbv2.destroy();
  cloudwatch.destroy();
  autoscaling.destroy();
  await sandbox.stop();
});

interface Stack {
  blue: string;
  green: string;
  production: string;
  test: string;
}

/** Two target groups behind one ALB: a production rule and a test rule, both forwarding to blue and (weight 0) green, as AWS's guide sets them up. */
async function stack(name: string): Promise<Stack> {
  const group = async (suffix: string) =>
    (
      await elbv2.send(
        new CreateTargetGroupCommand({ Name: `${name}-${suffix}`, Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
  const blue = await group('blue');
  const green = await group('green');
  const { LoadBalancers } = await elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: ['subnet-a', 'subnet-b'], Type: 'application' }));
  const { Listeners } = await elbv2.send(
    new CreateListenerCommand({ LoadBalancerArn: LoadBalancers![0]!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] }),
  );
  const rule = async (priority: number, path: string) =>
    (
      await elbv2.send(
        new CreateRuleCommand({ ListenerArn: Listeners![0]!.ListenerArn, Priority: priority, Conditions: [{ Field: 'path-pattern', Values: [path] }], Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 1 }, { TargetGroupArn: green, Weight: 0 }] } }] }),
      )
    ).Rules![0]!.RuleArn!;
  return { blue, green, production: await rule(1, '/*'), test: await rule(2, '/test/*') };
}

async function nativeService(name: string, target: Stack, deploymentConfiguration: DeploymentConfiguration): Promise<void> {
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: name,
      taskDefinition: 'web:1',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc,
      deploymentConfiguration,
      loadBalancers: [
        {
          targetGroupArn: target.blue,
          containerName: 'app',
          containerPort: 8080,
          advancedConfiguration: { alternateTargetGroupArn: target.green, productionListenerRule: target.production, testListenerRule: target.test, roleArn: ROLE },
        },
      ],
    }),
  );
}

async function latest(service: string): Promise<ServiceDeployment> {
  const { serviceDeployments } = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service }));
  const described = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeployments![0]!.serviceDeploymentArn!] }));
  return described.serviceDeployments![0]!;
}

/** Target group ARN -> weight on a listener rule. */
async function forwarding(ruleArn: string): Promise<Record<string, number>> {
  const { Rules } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  const groups = Rules![0]!.Actions![0]!.ForwardConfig!.TargetGroups!;
  return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
}

/** The native deployment as the controller's observation reads it and `status` prints it. */
async function observedLine(service: string): Promise<string | undefined> {
  const state = await observeServices({ clients: { ecs, elbv2, autoscaling }, taskDefinitions: new TaskDefinitionCache() }, [`prod/${service}`]);
  const native = state.services[`prod/${service}`]?.nativeDeployment;
  return native && nativeDeploymentLine(native, clock.now());
}

const split = (d: ServiceDeployment) => [d.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight, d.targetServiceRevision?.requestedProductionTrafficWeight];

/** Creates the service and lets its first deployment finish. */
async function deployed(name: string, config: DeploymentConfiguration): Promise<Stack> {
  const target = await stack(name);
  await nativeService(name, target, config);
  clock.advance(MINUTE + (config.bakeTimeInMinutes ?? 0) * MINUTE);
  expect((await latest(name)).status).toBe('SUCCESSFUL');
  return target;
}

describe('native ECS deployments in the sandbox', () => {
  it('walks a LINEAR deployment stage by stage, shifting production traffic in steps', async () => {
    const target = await deployed('linear', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 }, bakeTimeInMinutes: 2 });
    expect(await forwarding(target.production)).toEqual({ [target.green]: 0, [target.blue]: 999 });

    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'linear', taskDefinition: 'web:2' }));
    let deployment = await latest('linear');
    expect([deployment.status, deployment.lifecycleStage]).toEqual(['IN_PROGRESS', 'SCALE_UP']);
    expect(split(deployment)).toEqual([100, 0]);

    clock.advance(40_000);
    deployment = await latest('linear');
    expect(deployment.lifecycleStage).toBe('PRODUCTION_TRAFFIC_SHIFT');
    expect(split(deployment)).toEqual([75, 25]);
    expect(deployment.targetServiceRevision?.requestedTestTrafficWeight).toBe(100);
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 749, [target.green]: 250 });
    expect(await forwarding(target.test)).toEqual({ [target.blue]: 0, [target.green]: 999 });
    expect(await observedLine('linear')).toMatch(/^IN_PROGRESS, PRODUCTION_TRAFFIC_SHIFT, production 25% new, test 100% new, bake \d+s left$/);

    for (const expected of [50, 75]) {
      clock.advance(MINUTE);
      expect(split(await latest('linear'))).toEqual([100 - expected, expected]);
    }
    clock.advance(MINUTE);
    deployment = await latest('linear');
    expect([deployment.lifecycleStage, ...split(deployment)]).toEqual(['BAKE_TIME', 0, 100]);
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 0, [target.green]: 999 });
    expect((await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['linear'] }))).services![0]!.runningCount).toBe(4);

    clock.advance(2 * MINUTE + 5_000);
    deployment = await latest('linear');
    expect(deployment.status).toBe('SUCCESSFUL');
    expect(deployment.lifecycleStage).toBe('CLEAN_UP');
    // Settled: the observation reads no service deployment at all.
    expect(await observedLine('linear')).toBeUndefined();
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['linear'] }))).services![0]!;
    expect([service.runningCount, service.deployments?.length, service.taskDefinition]).toEqual([2, 1, expect.stringContaining('web:2')]);

    const revisions = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [deployment.targetServiceRevision!.arn!, 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/linear/1'] }));
    expect(revisions.serviceRevisions?.[0]?.resolvedConfiguration?.loadBalancers?.[0]?.targetGroupArn).toBe(target.green);
    expect(revisions.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/linear/1', reason: 'MISSING' }]);
  });

  it('walks a CANARY deployment: the canary share, its bake, then the rest; a slow hook holds its stage', async () => {
    const hook = 'arn:aws:lambda:us-east-1:123456789012:function:smoke-test';
    const target = await deployed('canary', {
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 },
      lifecycleHooks: [{ hookTargetArn: hook, roleArn: ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    });
    await setBehaviour(sandbox.endpoint, { hookTargetArn: hook, hookStatus: 'SUCCEEDED', hookInProgressSeconds: 90 });
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'canary', taskDefinition: 'web:2' }));
    clock.advance(40_000);
    let deployment = await latest('canary');
    expect(deployment.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT');
    expect(deployment.lifecycleHookDetails?.map((h) => [h.targetArn, h.status])).toEqual([[hook, 'IN_PROGRESS']]);
    expect(await observedLine('canary')).toBe('IN_PROGRESS, POST_TEST_TRAFFIC_SHIFT, production 0% new, test 100% new, hook smoke-test IN_PROGRESS');
    expect(split(deployment)).toEqual([100, 0]);

    clock.advance(90_000);
    deployment = await latest('canary');
    expect([deployment.lifecycleStage, ...split(deployment)]).toEqual(['PRODUCTION_TRAFFIC_SHIFT', 90, 10]);
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 899, [target.green]: 100 });

    // The canary bakes 3 minutes from the moment it got its share.
    clock.advance(deployment.updatedAt!.getTime() + 3 * MINUTE - 1_000 - clock.now());
    expect(split(await latest('canary'))).toEqual([90, 10]);
    expect(await observedLine('canary')).toBe('IN_PROGRESS, PRODUCTION_TRAFFIC_SHIFT, production 10% new, test 100% new, bake 1s left');
    clock.advance(1_000);
    expect(split(await latest('canary'))).toEqual([0, 100]);
    clock.advance(10_000);
    expect((await latest('canary')).status).toBe('SUCCESSFUL');
  });

  it('rolls back when a lifecycle hook fails: production returns to the source revision', async () => {
    const hook = 'arn:aws:lambda:us-east-1:123456789012:function:reject';
    const target = await deployed('hooked', { strategy: 'BLUE_GREEN', lifecycleHooks: [{ hookTargetArn: hook, roleArn: ROLE, lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }] });
    await setBehaviour(sandbox.endpoint, { hookTargetArn: hook, hookStatus: 'FAILED', hookInProgressSeconds: 0 });
    const source = (await latest('hooked')).targetServiceRevision!.arn;
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'hooked', taskDefinition: 'web:2' }));
    clock.advance(40_000);
    const deployment = await latest('hooked');
    expect([deployment.status, deployment.lifecycleStage]).toEqual(['ROLLBACK_SUCCESSFUL', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
    expect(deployment.lifecycleHookDetails?.map((h) => [h.targetArn, h.status])).toEqual([[hook, 'FAILED']]);
    expect(deployment.rollback).toMatchObject({ serviceRevisionArn: source, reason: expect.stringContaining(hook) });
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 999, [target.green]: 0 });
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['hooked'] }))).services![0]!;
    expect([service.taskDefinition, service.runningCount, service.deployments?.length]).toEqual([expect.stringContaining('web:1'), 2, 1]);
    // The next deployment again goes to the group production does not use.
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'hooked', taskDefinition: 'web:2', deploymentConfiguration: { lifecycleHooks: [] } }));
    clock.advance(MINUTE);
    expect((await latest('hooked')).status).toBe('SUCCESSFUL');
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 0, [target.green]: 999 });
  });

  it('rolls back when a deployment alarm fires during the bake time', async () => {
    await cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: 'web-5xx', Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore' }),
    );
    const target = await deployed('alarmed', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10, alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } });
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'alarmed', taskDefinition: 'web:2' }));
    clock.advance(40_000);
    expect((await latest('alarmed')).lifecycleStage).toBe('BAKE_TIME');
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 0, [target.green]: 999 });
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'test' }));
    clock.advance(5_000);
    const deployment = await latest('alarmed');
    expect(deployment.status).toMatch(/^ROLLBACK_/);
    expect(deployment.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['web-5xx'] });
    expect(await forwarding(target.production)).toEqual({ [target.blue]: 999, [target.green]: 0 });
  });

  it('StopServiceDeployment rolls back a deployment in flight, and refuses what it cannot stop', async () => {
    await deployed('stopped', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 5 } });
    const finished = await latest('stopped');
    expect((await rejection(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: finished.serviceDeploymentArn, stopType: 'ROLLBACK' })))).name).toBe('ConflictException');
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'stopped', taskDefinition: 'web:2' }));
    clock.advance(40_000);
    const inFlight = await latest('stopped');
    expect(split(inFlight)).toEqual([50, 50]);
    expect((await rejection(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: inFlight.serviceDeploymentArn, stopType: 'ABORT' })))).name).toBe('InvalidParameterException');
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: inFlight.serviceDeploymentArn, stopType: 'ROLLBACK' }));
    expect((await latest('stopped')).status).toBe('ROLLBACK_IN_PROGRESS');
    expect(await observedLine('stopped')).toMatch(/^ROLLBACK_IN_PROGRESS, .*Service deployment rolled back by StopServiceDeployment\.$/);
    clock.advance(5_000);
    expect((await latest('stopped')).status).toBe('ROLLBACK_SUCCESSFUL');
    const missing = `${inFlight.serviceDeploymentArn!.slice(0, -4)}zzzz`;
    expect((await rejection(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: missing })))).name).toBe('ServiceDeploymentNotFoundException');
    expect((await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [missing] }))).failures).toEqual([{ arn: missing, reason: 'MISSING' }]);
    const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'stopped', status: ['SUCCESSFUL'] }));
    expect(listed.serviceDeployments?.map((d) => d.serviceDeploymentArn)).toEqual([finished.serviceDeploymentArn]);
  });

  it('DeleteService during a deployment stops both revisions for good', async () => {
    await deployed('deleted', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 5 } });
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'deleted', taskDefinition: 'web:2' }));
    clock.advance(40_000);
    expect(split(await latest('deleted'))).toEqual([50, 50]);
    await ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'deleted', force: true }));
    clock.advance(30_000);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['deleted'] }));
    expect([services?.[0]?.status, services?.[0]?.runningCount, services?.[0]?.pendingCount]).toEqual(['INACTIVE', 0, 0]);
  });

  it('refuses native settings AWS refuses', async () => {
    const target = await stack('invalid');
    const create = (deploymentConfiguration: DeploymentConfiguration, advancedConfiguration: object) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'invalid',
          taskDefinition: 'web:1',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc,
          deploymentConfiguration,
          loadBalancers: [{ targetGroupArn: target.blue, containerName: 'app', containerPort: 8080, advancedConfiguration }],
        }),
      );
    const full = { alternateTargetGroupArn: target.green, productionListenerRule: target.production, roleArn: ROLE };
    expect((await rejection(create({ strategy: 'BLUE_GREEN' }, { alternateTargetGroupArn: target.green }))).message).toMatch(/productionListenerRule/);
    expect((await rejection(create({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 1 } }, full))).message).toMatch(/stepPercent/);
    expect((await rejection(create({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 101 } }, full))).message).toMatch(/canaryPercent/);
    expect((await rejection(create({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 }, full))).message).toMatch(/bakeTimeInMinutes/);
  });
});

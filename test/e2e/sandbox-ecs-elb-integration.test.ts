import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { awsvpc, fargateTaskDefinition, setBehaviour } from './sandbox-ecs-fixture.js';

let sandbox: RunningSandbox;
let clock: ManualClock;
let ecs: ECSClient;
let elbv2: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
  elbv2 = new ElasticLoadBalancingV2Client(sandboxClientConfig(sandbox.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  for (const family of ['good', 'bad']) await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition(family, `${family}:1`)));
  await setBehaviour(sandbox.endpoint, { family: 'bad', healthy: false });
});

afterAll(async () => {
  ecs.destroy();
  elbv2.destroy();
  await sandbox.stop();
});

/** A target group behind its own ALB listener: targets of a group no load balancer uses stay `unused`, as on AWS. */
async function targetGroup(name: string): Promise<string> {
  const { TargetGroups } = await elbv2.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }),
  );
  const targetGroupArn = TargetGroups![0]!.TargetGroupArn!;
  const { LoadBalancers } = await elbv2.send(new CreateLoadBalancerCommand({ Name: `${name}-alb`, Subnets: ['subnet-a', 'subnet-b'], Type: 'application' }));
  await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: LoadBalancers![0]!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }));
  return targetGroupArn;
}

async function runService(serviceName: string, taskDefinition: string, targetGroupArn: string): Promise<void> {
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName,
      taskDefinition,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc,
      loadBalancers: [{ targetGroupArn, containerName: 'app', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 30,
    }),
  );
}

describe('ECS tasks behind the simulated ELBv2', () => {
  it('registers running tasks and completes the deployment once the targets are healthy', async () => {
    const tg = await targetGroup('good-tg');
    await runService('good', 'good', tg);
    clock.advance(6_000);
    let health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual(['initial', 'initial']);
    const inProgress = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['good'] }));
    expect(inProgress.services?.[0]?.deployments?.[0]?.rolloutState).toBe('IN_PROGRESS');
    clock.advance(30_000);
    health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    const done = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['good'] }));
    expect(done.services?.[0]?.deployments?.[0]?.rolloutState).toBe('COMPLETED');
  });

  it('replaces tasks the load balancer finds unhealthy after the grace period', async () => {
    const tg = await targetGroup('bad-tg');
    await runService('bad', 'bad', tg);
    clock.advance(26_000);
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual(['unhealthy', 'unhealthy']);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'bad', desiredStatus: 'STOPPED' }))).taskArns).toEqual([]);
    clock.advance(15_000);
    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'bad', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns?.length).toBeGreaterThanOrEqual(2);
  });
});

import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  type TaskSet,
  TaskSetNotFoundException,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { ecsService } from '../../src/sandbox/ecs/service.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { awsvpc, fargateTaskDefinition, rejection } from './sandbox-ecs-fixture.js';

let sandbox: RunningSandbox;
let clock: ManualClock;
let ecs: ECSClient;
const cluster = 'prod';
const service = 'checkout';
const TG_BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1';
const TG_GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2';

beforeAll(async () => {
  clock = new ManualClock();
  // ECS alone: the load balancers named here are not simulated, so ECS does not validate them.
  sandbox = await startSandbox({ port: 0, clock, services: [ecsService] });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  for (const image of ['checkout:1', 'checkout:2']) await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('checkout', image)));
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, desiredCount: 3, deploymentController: { type: 'EXTERNAL' } }));
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

async function taskSets(): Promise<TaskSet[]> {
  return (await ecs.send(new DescribeTaskSetsCommand({ cluster, service }))).taskSets ?? [];
}

const createSet = (taskDefinition: string, externalId: string, targetGroupArn: string, scale: number) =>
  ecs.send(
    new CreateTaskSetCommand({
      cluster,
      service,
      taskDefinition,
      externalId,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc,
      loadBalancers: [{ targetGroupArn, containerName: 'app', containerPort: 8080 }],
      scale: { unit: 'PERCENT', value: scale },
      tags: [{ key: 'ecs-reconciler:step', value: '0' }],
    }),
  );

describe('EXTERNAL deployment controller with task sets', () => {
  let blue: TaskSet;
  let green: TaskSet;

  it('creates an EXTERNAL service with no deployments and no task sets', async () => {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    expect(services?.[0]).toMatchObject({ deploymentController: { type: 'EXTERNAL' }, deployments: [], taskSets: [], desiredCount: 3 });
    expect(services?.[0]?.taskDefinition).toBeUndefined();
  });

  it('runs a task set at its scale and makes it primary', async () => {
    blue = (await createSet('checkout:1', 'spec-1', TG_BLUE, 100)).taskSet!;
    expect(blue).toMatchObject({ status: 'ACTIVE', externalId: 'spec-1', computedDesiredCount: 3, scale: { unit: 'PERCENT', value: 100 }, stabilityStatus: 'STABILIZING', tags: [{ key: 'ecs-reconciler:step', value: '0' }] });
    expect(blue.id).toMatch(/^ecs-svc\/\d+$/);
    expect(blue.taskSetArn).toBe(`arn:aws:ecs:us-east-1:123456789012:task-set/${cluster}/${service}/${blue.id}`);
    const primary = await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster, service, primaryTaskSet: blue.taskSetArn }));
    expect(primary.taskSet?.status).toBe('PRIMARY');
    clock.advance(10_000);
    const [set] = await taskSets();
    expect(set).toMatchObject({ runningCount: 3, pendingCount: 0, stabilityStatus: 'STEADY_STATE' });
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    expect(services?.[0]).toMatchObject({ taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:1', runningCount: 3, loadBalancers: [{ targetGroupArn: TG_BLUE }] });
  });

  it('computes each set\'s desired count as ceil(desiredCount * scale%) and follows desiredCount changes', async () => {
    green = (await createSet('checkout:2', 'spec-2', TG_GREEN, 10)).taskSet!;
    expect(green.computedDesiredCount).toBe(1);
    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 10 }));
    const sets = await taskSets();
    expect(sets.map((s) => [s.externalId, s.computedDesiredCount])).toEqual([['spec-1', 10], ['spec-2', 1]]);
    const scaled = await ecs.send(new UpdateTaskSetCommand({ cluster, service, taskSet: green.id, scale: { unit: 'PERCENT', value: 50 } }));
    expect(scaled.taskSet?.computedDesiredCount).toBe(5);
    clock.advance(10_000);
    expect((await taskSets()).map((s) => [s.runningCount, s.stabilityStatus])).toEqual([[10, 'STEADY_STATE'], [5, 'STEADY_STATE']]);
  });

  it('switches the primary task set and drains a deleted one', async () => {
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster, service, primaryTaskSet: green.id }));
    const sets = await taskSets();
    expect(sets.map((s) => s.status)).toEqual(['ACTIVE', 'PRIMARY']);
    const notForced = await rejection(ecs.send(new DeleteTaskSetCommand({ cluster, service, taskSet: blue.id })));
    expect(notForced).toBeInstanceOf(InvalidParameterException);
    const deleted = await ecs.send(new DeleteTaskSetCommand({ cluster, service, taskSet: blue.id, force: true }));
    expect(deleted.taskSet).toMatchObject({ status: 'DRAINING', computedDesiredCount: 0 });
    clock.advance(10_000);
    expect((await taskSets()).map((s) => s.externalId)).toEqual(['spec-2']);
    const gone = await rejection(ecs.send(new UpdateTaskSetCommand({ cluster, service, taskSet: blue.id, scale: { unit: 'PERCENT', value: 0 } })));
    expect(gone).toBeInstanceOf(TaskSetNotFoundException);
  });

  it('accepts only the fields AWS allows in UpdateService', async () => {
    const error = await rejection(ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: 'checkout:2' })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain('EXTERNAL deployment controller');
    const ok = await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 2, healthCheckGracePeriodSeconds: 30 }));
    expect(ok.service).toMatchObject({ desiredCount: 2, healthCheckGracePeriodSeconds: 30 });
  });

  it('refuses task sets on a service with the ECS deployment controller', async () => {
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'rolling', taskDefinition: 'checkout:1', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: awsvpc }));
    const error = await rejection(ecs.send(new CreateTaskSetCommand({ cluster, service: 'rolling', taskDefinition: 'checkout:1', launchType: 'FARGATE', networkConfiguration: awsvpc })));
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('switches a rolling service to EXTERNAL and back without restarting its tasks (UpdateService deploymentController)', async () => {
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'migrating', taskDefinition: 'checkout:1', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: awsvpc }));
    clock.advance(10_000);
    const switched = await ecs.send(new UpdateServiceCommand({ cluster, service: 'migrating', deploymentController: { type: 'EXTERNAL' } }));
    expect(switched.service?.deploymentController).toEqual({ type: 'EXTERNAL' });
    expect(switched.service?.taskSets).toMatchObject([{ status: 'PRIMARY', runningCount: 2, scale: { value: 100, unit: 'PERCENT' } }]);
    const back = await ecs.send(new UpdateServiceCommand({ cluster, service: 'migrating', deploymentController: { type: 'ECS' } }));
    expect(back.service?.deployments).toMatchObject([{ status: 'PRIMARY', runningCount: 2 }]);
  });
});

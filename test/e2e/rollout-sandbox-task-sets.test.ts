/** The two sandbox behaviours the rollout engine relies on: CreateTaskSet's client token, and DRAINING task sets. */
import {
  ConflictException,
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeTaskSetsCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  type CreateTaskSetCommandInput,
  type TaskSet,
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
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2';

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock, services: [ecsService] });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web', 'web:1')));
  for (const serviceName of ['tokens', 'draining']) {
    await ecs.send(new CreateServiceCommand({ cluster, serviceName, desiredCount: 2, deploymentController: { type: 'EXTERNAL' } }));
  }
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

const input = (service: string, extra: Partial<CreateTaskSetCommandInput> = {}): CreateTaskSetCommandInput => ({
  cluster,
  service,
  taskDefinition: 'web:1',
  externalId: 'v1',
  launchType: 'FARGATE',
  networkConfiguration: awsvpc,
  loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }],
  scale: { unit: 'PERCENT', value: 50 },
  ...extra,
});

async function taskSets(service: string): Promise<TaskSet[]> {
  return (await ecs.send(new DescribeTaskSetsCommand({ cluster, service }))).taskSets ?? [];
}

describe('CreateTaskSet clientToken', () => {
  it('returns the task set of the first request when the same token and parameters come again', async () => {
    const first = (await ecs.send(new CreateTaskSetCommand(input('tokens', { clientToken: 'abc123-0-1767268800' })))).taskSet!;
    const retry = (await ecs.send(new CreateTaskSetCommand(input('tokens', { clientToken: 'abc123-0-1767268800' })))).taskSet!;
    expect(retry.taskSetArn).toBe(first.taskSetArn);
    expect((await taskSets('tokens')).map((set) => set.id)).toEqual([first.id]);
  });

  it('refuses the same token with other parameters, and malformed tokens', async () => {
    const changed = await rejection(ecs.send(new CreateTaskSetCommand(input('tokens', { clientToken: 'abc123-0-1767268800', externalId: 'v2' }))));
    expect(changed).toBeInstanceOf(ConflictException);
    const tooLong = await rejection(ecs.send(new CreateTaskSetCommand(input('tokens', { clientToken: 'x'.repeat(37) }))));
    expect(tooLong).toBeInstanceOf(InvalidParameterException);
    expect((await taskSets('tokens'))).toHaveLength(1);
  });

  it('creates a new task set for a new token, and for no token every time', async () => {
    await ecs.send(new CreateTaskSetCommand(input('tokens', { clientToken: 'abc123-1-1767268900' })));
    await ecs.send(new CreateTaskSetCommand(input('tokens')));
    await ecs.send(new CreateTaskSetCommand(input('tokens')));
    expect(await taskSets('tokens')).toHaveLength(4);
  });
});

describe('DeleteTaskSet', () => {
  it('shows the deleted task set as DRAINING until its tasks are stopped, then drops it', async () => {
    const created = (await ecs.send(new CreateTaskSetCommand(input('draining')))).taskSet!;
    clock.advance(10_000);
    expect((await taskSets('draining'))[0]).toMatchObject({ status: 'ACTIVE', runningCount: 1 });

    await ecs.send(new DeleteTaskSetCommand({ cluster, service: 'draining', taskSet: created.taskSetArn, force: true }));
    expect(await taskSets('draining')).toMatchObject([{ taskSetArn: created.taskSetArn, status: 'DRAINING', computedDesiredCount: 0 }]);
    clock.advance(1_000);
    expect((await taskSets('draining'))[0]?.status).toBe('DRAINING');

    clock.advance(10_000);
    expect(await taskSets('draining')).toEqual([]);
  });
});

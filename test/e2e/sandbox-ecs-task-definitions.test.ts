import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { rejection } from './sandbox-ecs-fixture.js';

let sandbox: RunningSandbox;
let ecs: ECSClient;
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, clock: new ManualClock() });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

const fargate = (family: string, image = 'nginx:1.27'): RegisterTaskDefinitionCommandInput => ({
  family,
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [
    {
      name: 'app',
      image,
      portMappings: [{ containerPort: 8080 }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } },
    },
  ],
});

describe('RegisterTaskDefinition / DescribeTaskDefinition', () => {
  it('returns the defaults AWS fills in', async () => {
    const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(fargate('defaults')));
    expect(taskDefinition).toMatchObject({
      taskDefinitionArn: `${ARN}/defaults:1`,
      family: 'defaults',
      revision: 1,
      status: 'ACTIVE',
      cpu: '256',
      memory: '512',
      volumes: [],
      placementConstraints: [],
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      registeredBy: 'arn:aws:iam::123456789012:root',
    });
    expect(taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(taskDefinition?.containerDefinitions?.[0]).toEqual({
      name: 'app',
      image: 'nginx:1.27',
      cpu: 0,
      essential: true,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } },
    });
    expect(taskDefinition?.requiresAttributes?.map((a) => a.name).sort()).toEqual(
      [
        'com.amazonaws.ecs.capability.docker-remote-api.1.18',
        'com.amazonaws.ecs.capability.docker-remote-api.1.19',
        'com.amazonaws.ecs.capability.logging-driver.awslogs',
        'ecs.capability.execution-role-awslogs',
        'ecs.capability.task-eni',
      ].sort(),
    );
  });

  it('normalizes unit strings and counts revisions per family; each ARN stays immutable', async () => {
    const first = await ecs.send(new RegisterTaskDefinitionCommand({ ...fargate('sizes'), cpu: '1 vCPU', memory: '2 GB' }));
    const second = await ecs.send(new RegisterTaskDefinitionCommand({ ...fargate('sizes', 'nginx:1.28'), cpu: '1 vCPU', memory: '2 GB' }));
    expect(first.taskDefinition).toMatchObject({ cpu: '1024', memory: '2048', revision: 1 });
    expect(second.taskDefinition?.revision).toBe(2);
    const old = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${ARN}/sizes:1` }));
    expect(old.taskDefinition?.containerDefinitions?.[0]?.image).toBe('nginx:1.27');
    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'sizes' }));
    expect(latest.taskDefinition?.revision).toBe(2);
  });

  it('gives EC2 bridge task definitions EXTERNAL and EC2 compatibility only', async () => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'bridge', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 128, essential: false }, { name: 'main', image: 'busybox', memory: 128 }] }),
    );
    expect(taskDefinition?.compatibilities).toEqual(['EXTERNAL', 'EC2']);
    expect(taskDefinition?.containerDefinitions?.map((c) => c.essential)).toEqual([false, true]);
  });

  it('returns tags only with include TAGS', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({ ...fargate('tagged'), tags: [{ key: 'team', value: 'payments' }] }));
    const plain = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged' }));
    expect(plain.tags).toBeUndefined();
    const withTags = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged', include: ['TAGS'] }));
    expect(withTags.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it.each([
    [{ cpu: '256', memory: '4096' }, 'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'],
    [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    [{ networkMode: 'bridge' as const }, "Fargate only supports network mode 'awsvpc'."],
    [{ executionRoleArn: undefined }, 'Fargate requires task definition to have execution role ARN to support log driver awslogs.'],
  ])('rejects invalid Fargate settings %j with ClientException', async (override, message) => {
    const error = await rejection(ecs.send(new RegisterTaskDefinitionCommand({ ...fargate('bad'), ...override })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe(message);
  });

  it('requires memory for EC2 containers without task memory', async () => {
    const error = await rejection(ecs.send(new RegisterTaskDefinitionCommand({ family: 'nomem', containerDefinitions: [{ name: 'web', image: 'busybox' }] })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe("Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.");
  });

  it('fails to describe an unknown task definition like AWS', async () => {
    const error = await rejection(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' })));
    expect(error).toBeInstanceOf(ClientException);
    expect(error.message).toBe('Unable to describe task definition.');
  });
});

describe('ListTaskDefinitions / DeregisterTaskDefinition', () => {
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await ecs.send(new RegisterTaskDefinitionCommand(fargate('list-a')));
    await ecs.send(new RegisterTaskDefinitionCommand(fargate('list-b')));
  });

  it('filters by family prefix and sorts both ways', async () => {
    const asc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-' }));
    expect(asc.taskDefinitionArns).toEqual([`${ARN}/list-a:1`, `${ARN}/list-a:2`, `${ARN}/list-a:3`, `${ARN}/list-b:1`]);
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-a', sort: 'DESC' }));
    expect(desc.taskDefinitionArns).toEqual([`${ARN}/list-a:3`, `${ARN}/list-a:2`, `${ARN}/list-a:1`]);
  });

  it('paginates with maxResults and nextToken', async () => {
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-', sort: 'DESC', maxResults: 3, nextToken }));
      pages.push(page.taskDefinitionArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual([[`${ARN}/list-b:1`, `${ARN}/list-a:3`, `${ARN}/list-a:2`], [`${ARN}/list-a:1`]]);
  });

  it('deregisters a revision: INACTIVE, listed by status, still describable', async () => {
    const { taskDefinition } = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'list-a:2' }));
    expect(taskDefinition).toMatchObject({ status: 'INACTIVE' });
    expect(taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const inactive = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'list-', status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([`${ARN}/list-a:2`]);
    const families = await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'list-' }));
    expect(families.families).toEqual(['list-a', 'list-b']);
  });

  it('requires a revision to deregister', async () => {
    const error = await rejection(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'list-a' })));
    expect(error).toBeInstanceOf(ClientException);
  });
});

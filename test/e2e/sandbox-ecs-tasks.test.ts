import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ResourceNotFoundException,
  ServiceNotFoundException,
  StopTaskCommand,
  TagResourceCommand,
  type Task,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import type { SandboxServiceFactory } from '../../src/sandbox/core/service.js';
import { ecsService } from '../../src/sandbox/ecs/service.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import type { Elbv2View, TargetHealthState } from '../../src/sandbox/world.js';
import { awsvpc, clearBehaviours, fargateTaskDefinition, rejection, setBehaviour } from './sandbox-ecs-fixture.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1';

/** A stand-in load balancer: health follows the simulated app, as a real health check would see it. */
const registered = new Map<string, 'registered' | 'draining'>();
const fakeElbv2: SandboxServiceFactory = (ctx) => {
  const view: Elbv2View = {
    targetGroupExists: (arn) => arn === TG,
    targetGroupHasLoadBalancer: (arn) => arn === TG,
    targetGroupArn: (ref) => (ref === TG || ref === 'web' ? TG : undefined),
    forwardRule: () => false,
    registerTarget: (_tg, ip, port) => void registered.set(`${ip}:${port}`, 'registered'),
    deregisterTarget: (_tg, ip, port) => void registered.set(`${ip}:${port}`, 'draining'),
    targetHealth: (_tg, ip, port): TargetHealthState | undefined => {
      const state = registered.get(`${ip}:${port}`);
      if (state === undefined) return undefined;
      if (state === 'draining') return 'draining';
      return ctx.views.ecs?.targetProcess(ip, port)?.passesHealthCheck ? 'healthy' : 'unhealthy';
    },
    trafficShares: () => new Map(),
  };
  ctx.views.elbv2 = view;
  return { name: 'elbv2', state: () => Object.fromEntries(registered) };
};

let sandbox: RunningSandbox;
let clock: ManualClock;
let ecs: ECSClient;
let serial = 0;
const cluster = 'prod';

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock, services: [ecsService, fakeElbv2] });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: cluster, tags: [{ key: 'env', value: 'prod' }] }));
  await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web', 'web:1')));
  await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web-bad', 'web:bad')));
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

beforeEach(() => clearBehaviours(sandbox.endpoint));

async function createService(taskDefinition = 'web', withLb = false, grace?: number): Promise<string> {
  const serviceName = `svc-${++serial}`;
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName,
      taskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc,
      ...(withLb ? { loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }], healthCheckGracePeriodSeconds: grace } : {}),
    }),
  );
  return serviceName;
}

async function tasksOf(serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus }));
  if (!taskArns?.length) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }))).tasks ?? [];
}

describe('task lifecycle', () => {
  it('goes PROVISIONING -> PENDING -> RUNNING with the default timings and gets a private IP', async () => {
    const name = await createService();
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      seen.push((await tasksOf(name))[0]!.lastStatus!);
      clock.advance(1000);
    }
    expect(seen).toEqual(['PROVISIONING', 'PROVISIONING', 'PENDING', 'PENDING', 'PENDING', 'RUNNING']);
    const [task] = await tasksOf(name);
    expect(task?.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(task).toMatchObject({ group: `service:${name}`, desiredStatus: 'RUNNING', launchType: 'FARGATE', cpu: '256', memory: '512', tags: [] });
  });

  it('stops a task on request and the service replaces it', async () => {
    const name = await createService();
    clock.advance(10_000);
    const [task] = await tasksOf(name);
    const stopped = await ecs.send(new StopTaskCommand({ cluster, task: task!.taskArn, reason: 'drill' }));
    expect(stopped.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'DEPROVISIONING', stoppedReason: 'drill', stopCode: 'UserInitiated' });
    clock.advance(10_000);
    const [stoppedTask] = await tasksOf(name, 'STOPPED');
    expect(stoppedTask).toMatchObject({ taskArn: task!.taskArn, lastStatus: 'STOPPED' });
    expect(stoppedTask?.stoppedAt).toBeInstanceOf(Date);
    const running = await tasksOf(name);
    expect(running).toHaveLength(1);
    expect(running[0]?.taskArn).not.toBe(task!.taskArn);
  });

  it('reports a crash with the exit code, stop code and AWS\'s reason', async () => {
    await setBehaviour(sandbox.endpoint, { image: 'web:bad', crashExitCode: 137, crashAfterSeconds: 5 });
    const name = await createService('web-bad');
    clock.advance(5_000);
    expect((await tasksOf(name))[0]?.lastStatus).toBe('RUNNING');
    clock.advance(5_000);
    const [crashed] = await tasksOf(name, 'STOPPED');
    expect(crashed).toMatchObject({ stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited' });
    expect(crashed?.containers?.[0]?.exitCode).toBe(137);
  });

  it('reports an image that cannot be pulled', async () => {
    await setBehaviour(sandbox.endpoint, { family: 'web-bad', cannotPullImage: true });
    const name = await createService('web-bad');
    clock.advance(6_000);
    const [failed] = await tasksOf(name, 'STOPPED');
    expect(failed?.stopCode).toBe('TaskFailedToStart');
    expect(failed?.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(failed?.startedAt).toBeUndefined();
  });

  it('answers ListTasks for an unknown service with ServiceNotFoundException', async () => {
    const error = await rejection(ecs.send(new ListTasksCommand({ cluster, serviceName: 'ghost' })));
    expect(error).toBeInstanceOf(ServiceNotFoundException);
  });
});

describe('load balancer integration', () => {
  it('registers RUNNING tasks in the target group and exposes the simulated process', async () => {
    await setBehaviour(sandbox.endpoint, { image: 'web:1', errorRate: 0.25, latencyMs: 80 });
    const name = await createService('web', true);
    clock.advance(10_000);
    const [task] = await tasksOf(name);
    const ip = task!.containers![0]!.networkInterfaces![0]!.privateIpv4Address!;
    expect(registered.get(`${ip}:8080`)).toBe('registered');
    expect(sandbox.account.views.ecs?.targetProcess(ip, 8080)).toMatchObject({ taskArn: task!.taskArn, serviceName: name, running: true, passesHealthCheck: true, errorRate: 0.25, latencyMs: 80 });
    expect(sandbox.account.views.ecs?.targetProcess(ip, 9999)).toBeUndefined();
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    expect(services?.[0]?.deployments?.[0]?.rolloutState).toBe('COMPLETED');
    expect(services?.[0]?.events?.map((e) => e.message)).toContain(`(service ${name}) registered 1 targets in (target-group ${TG})`);
  });

  it('replaces a task that fails its health checks once the grace period is over', async () => {
    await setBehaviour(sandbox.endpoint, { image: 'web:1', healthy: false });
    const name = await createService('web', true, 30);
    clock.advance(20_000);
    const [task] = await tasksOf(name);
    expect(task?.lastStatus).toBe('RUNNING');
    clock.advance(20_000);
    const stopped = await tasksOf(name, 'STOPPED');
    expect(stopped[0]).toMatchObject({ taskArn: task!.taskArn, stoppedReason: `Task failed ELB health checks in (target-group ${TG})` });
    const ip = task!.containers![0]!.networkInterfaces![0]!.privateIpv4Address!;
    expect(registered.get(`${ip}:8080`)).toBe('draining');
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    expect(services?.[0]?.events?.map((e) => e.message)).toContain(`(service ${name}) (port 8080) is unhealthy in (target-group ${TG}) due to (reason Health checks failed).`);
  });
});

describe('tags', () => {
  it('tags, lists and untags every taggable resource', async () => {
    const name = await createService();
    clock.advance(10_000);
    const [task] = await tasksOf(name);
    const arns = [
      'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      `arn:aws:ecs:us-east-1:123456789012:service/prod/${name}`,
      'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
      task!.taskArn!,
    ];
    for (const resourceArn of arns) {
      await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'owner', value: 'sre' }, { key: 'tmp', value: 'x' }] }));
      await ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['tmp'] }));
      const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn }));
      expect(tags).toContainEqual({ key: 'owner', value: 'sre' });
      expect(tags?.map((t) => t.key)).not.toContain('tmp');
    }
    const clusterTags = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arns[0] }));
    expect(clusterTags.tags).toEqual([{ key: 'env', value: 'prod' }, { key: 'owner', value: 'sre' }]);
  });

  it('propagates service tags to the tasks it starts when asked to', async () => {
    const serviceName = `svc-${++serial}`;
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName, taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: awsvpc, propagateTags: 'SERVICE', tags: [{ key: 'team', value: 'payments' }] }),
    );
    const [task] = await tasksOf(serviceName);
    expect(task?.tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('rejects an unknown resource', async () => {
    const error = await rejection(ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/ghost' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});

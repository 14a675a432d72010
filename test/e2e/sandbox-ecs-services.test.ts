import {
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  InvalidParameterException,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { awsvpc, clearBehaviours, fargateTaskDefinition, rejection, setBehaviour } from './sandbox-ecs-fixture.js';

let sandbox: RunningSandbox;
let clock: ManualClock;
let ecs: ECSClient;
let serial = 0;

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  for (const image of ['app:v1', 'app:v2']) await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('app', image)));
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

beforeEach(() => clearBehaviours(sandbox.endpoint));


async function create(overrides: Partial<CreateServiceCommandInput> = {}): Promise<Service> {
  serial++;
  const { service } = await ecs.send(
    new CreateServiceCommand({ cluster: 'prod', serviceName: `svc-${serial}`, taskDefinition: 'app:1', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: awsvpc, ...overrides }),
  );
  return service!;
}

async function describeOne(name: string): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [name] }));
  return services![0]!;
}

/** Advances simulated time in small steps, recording the service after each, so rollouts can be checked step by step. */
async function observe(name: string, seconds: number, stepSeconds = 1): Promise<Service[]> {
  const seen: Service[] = [];
  for (let t = 0; t < seconds; t += stepSeconds) {
    clock.advance(stepSeconds * 1000);
    seen.push(await describeOne(name));
  }
  return seen;
}


describe('CreateService / DescribeServices', () => {
  it('fills in the fields AWS fills in', async () => {
    const service = await create();
    expect(service).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 0,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      schedulingStrategy: 'REPLICA',
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: [], assignPublicIp: 'DISABLED' } },
      createdBy: 'arn:aws:iam::123456789012:root',
      tags: [],
    });
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount: 2, failedTasks: 0 });
  });

  it('reaches COMPLETED and a steady state once the tasks run', async () => {
    const service = await create();
    clock.advance(10_000);
    const described = await describeOne(service.serviceName!);
    expect(described).toMatchObject({ runningCount: 2, pendingCount: 0 });
    expect(described.deployments?.[0]?.rolloutState).toBe('COMPLETED');
    expect(described.deployments?.[0]?.rolloutStateReason).toBe(`ECS deployment ${described.deployments?.[0]?.id} completed.`);
    expect(described.events?.[0]?.message).toBe(`(service ${service.serviceName}) has reached a steady state.`);
    expect(described.events?.at(-1)?.message).toMatch(new RegExp(`^\\(service ${service.serviceName}\\) has started 2 tasks: \\(task [0-9a-f]{32}\\) \\(task [0-9a-f]{32}\\)\\.$`));
  });

  it('reports unknown services as failures with reason MISSING and allows at most 10 per call', async () => {
    const service = await create();
    const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [service.serviceName!, 'ghost'] }));
    expect(services?.map((s) => s.serviceName)).toEqual([service.serviceName]);
    expect(failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/ghost', reason: 'MISSING' }]);
    const error = await rejection(ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('service names can have at most 10 items.');
  });

  it('validates input like AWS', async () => {
    const both = await rejection(create({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }));
    expect(both).toBeInstanceOf(InvalidParameterException);
    expect(both.message).toBe('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    const noNetwork = await rejection(create({ networkConfiguration: undefined }));
    expect(noNetwork.message).toBe("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    const badPort = await rejection(create({ loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1', containerName: 'app', containerPort: 9999 }] }));
    expect(badPort.message).toBe('The container app did not have a container port 9999 defined.');
    const noCluster = await rejection(create({ cluster: 'nope' }));
    expect(noCluster).toBeInstanceOf(ClusterNotFoundException);
    expect(noCluster.message).toBe('Cluster not found.');
    const service = await create();
    const duplicate = await rejection(create({ serviceName: service.serviceName }));
    expect(duplicate.message).toBe('Creation of service was not idempotent.');
  });
});

describe('ListServices', () => {
  it('pages with maxResults (default 10) and nextToken', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'paging' }));
    for (let i = 0; i < 12; i++) {
      await ecs.send(new CreateServiceCommand({ cluster: 'paging', serviceName: `p${String(i).padStart(2, '0')}`, taskDefinition: 'app:1', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: awsvpc }));
    }
    const first = await ecs.send(new ListServicesCommand({ cluster: 'paging' }));
    expect(first.serviceArns).toHaveLength(10);
    const second = await ecs.send(new ListServicesCommand({ cluster: 'paging', nextToken: first.nextToken }));
    expect(second.serviceArns).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();
    expect(second.serviceArns?.at(-1)).toBe('arn:aws:ecs:us-east-1:123456789012:service/paging/p11');
    const tooMany = await rejection(ecs.send(new ListServicesCommand({ cluster: 'paging', maxResults: 101 })));
    expect(tooMany).toBeInstanceOf(InvalidParameterException);
  });
});

describe('rolling deployments', () => {
  it('replaces tasks within minimumHealthyPercent and maximumPercent', async () => {
    const service = await create({ desiredCount: 4, deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 } });
    clock.advance(10_000);
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, taskDefinition: 'app:2' }));
    const timeline = await observe(service.serviceName!, 30);
    for (const snapshot of timeline) {
      const live = (snapshot.deployments ?? []).reduce((sum, d) => sum + (d.runningCount ?? 0) + (d.pendingCount ?? 0), 0);
      const running = (snapshot.deployments ?? []).reduce((sum, d) => sum + (d.runningCount ?? 0), 0);
      expect(live).toBeLessThanOrEqual(6);
      expect(running).toBeGreaterThanOrEqual(2);
    }
    const last = timeline.at(-1)!;
    expect(last.deployments).toHaveLength(1);
    expect(last.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 4, taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:2' });
    expect(timeline.some((s) => s.deployments?.length === 2 && s.deployments[1]?.status === 'ACTIVE')).toBe(true);
  });

  it('does not start a deployment when nothing that matters changed, and does with forceNewDeployment', async () => {
    const service = await create();
    clock.advance(10_000);
    const same = await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, taskDefinition: 'app:1', desiredCount: 3 }));
    expect(same.service?.deployments).toHaveLength(1);
    const forced = await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, forceNewDeployment: true }));
    expect(forced.service?.deployments).toHaveLength(2);
  });

  it('fails the deployment and rolls back with the circuit breaker', async () => {
    await setBehaviour(sandbox.endpoint, { image: 'app:v2', crashExitCode: 1, crashAfterSeconds: 0 });
    const service = await create({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } });
    clock.advance(10_000);
    const good = (await describeOne(service.serviceName!)).deployments![0]!;
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, taskDefinition: 'app:2' }));
    const timeline = await observe(service.serviceName!, 40);
    const failed = timeline.flatMap((s) => s.deployments ?? []).find((d) => d.rolloutState === 'FAILED');
    expect(failed).toMatchObject({ rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:2' });
    expect(failed?.failedTasks).toBeGreaterThanOrEqual(3);
    const last = timeline.at(-1)!;
    expect(last.taskDefinition).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/app:1');
    expect(last.deployments).toHaveLength(1);
    expect(last.deployments?.[0]).toMatchObject({ rolloutState: 'COMPLETED', runningCount: 2 });
    const rollbackReason = timeline.flatMap((s) => s.deployments ?? []).find((d) => d.rolloutStateReason?.includes('rolling back'))?.rolloutStateReason;
    expect(rollbackReason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${good.id}.`);
    expect(last.events?.map((e) => e.message)).toContain(`(service ${service.serviceName}) (deployment ${failed?.id}) deployment failed: tasks failed to start.`);
    expect(last.runningCount).toBe(2);
  });

  it('keeps retrying without the circuit breaker, leaving the old tasks serving', async () => {
    await setBehaviour(sandbox.endpoint, { image: 'app:v2', cannotPullImage: true });
    const service = await create();
    clock.advance(10_000);
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, taskDefinition: 'app:2' }));
    const last = (await observe(service.serviceName!, 60, 5)).at(-1)!;
    expect(last.deployments?.[0]).toMatchObject({ rolloutState: 'IN_PROGRESS' });
    expect(last.deployments?.[0]?.failedTasks).toBeGreaterThan(3);
    expect(last.deployments?.[1]).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: service.serviceName, desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns?.length).toBeGreaterThan(0);
  });
});

describe('UpdateService / DeleteService errors and lifecycle', () => {
  it('rejects unknown and deleted services with the right exceptions', async () => {
    const unknown = await rejection(ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'ghost', desiredCount: 1 })));
    expect(unknown).toBeInstanceOf(ServiceNotFoundException);
    expect(unknown.message).toBe('Service not found.');
    const service = await create();
    const scaled = await rejection(ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: service.serviceName })));
    expect(scaled).toBeInstanceOf(InvalidParameterException);
    expect(scaled.message).toBe('The service cannot be stopped while it is scaled above 0.');
    const deleted = await ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: service.serviceName, force: true }));
    expect(deleted.service?.status).toBe('DRAINING');
    const inactive = await rejection(ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, desiredCount: 1 })));
    expect(inactive).toBeInstanceOf(ServiceNotActiveException);
    clock.advance(10_000);
    expect((await describeOne(service.serviceName!)).status).toBe('INACTIVE');
    const listed = await ecs.send(new ListServicesCommand({ cluster: 'prod', maxResults: 100 }));
    expect(listed.serviceArns).not.toContain(service.serviceArn);
  });

  it('scales in and out with desiredCount without a new deployment', async () => {
    const service = await create();
    clock.advance(10_000);
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, desiredCount: 5 }));
    clock.advance(10_000);
    expect(await describeOne(service.serviceName!)).toMatchObject({ runningCount: 5, desiredCount: 5 });
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: service.serviceName, desiredCount: 1 }));
    clock.advance(10_000);
    const after = await describeOne(service.serviceName!);
    expect(after).toMatchObject({ runningCount: 1 });
    expect(after.deployments).toHaveLength(1);
  });
});

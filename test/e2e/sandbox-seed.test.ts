import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { createAccount, sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';

const SEED = `
clock:
  start: 2026-03-01T12:00:00Z
faults:
  throttle:
    ecs.RegisterTaskDefinition: {burst: 20, refillPerSecond: 1}
behaviours:
  - image: "*:broken"
    healthy: false
ecs:
  timings: {provisioningSeconds: 1, pendingSeconds: 1}
  clusters: [prod, {clusterName: staging, tags: [{key: env, value: staging}]}]
  taskDefinitions:
    - family: web
      networkMode: awsvpc
      requiresCompatibilities: [FARGATE]
      cpu: "256"
      memory: "512"
      containerDefinitions: [{name: app, image: "web:1", portMappings: [{containerPort: 8080}]}]
  services:
    - cluster: prod
      serviceName: web
      taskDefinition: web
      desiredCount: 2
      launchType: FARGATE
      networkConfiguration: {awsvpcConfiguration: {subnets: [subnet-a]}}
`;

let dir: string;
let sandbox: RunningSandbox;
let ecs: ECSClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-seed-'));
  await writeFile(join(dir, 'seed.yaml'), SEED);
  sandbox = await startSandbox({ port: 0, seed: join(dir, 'seed.yaml'), clock: new ManualClock(Date.parse('2026-03-01T12:00:00Z')) });
  ecs = new ECSClient(sandboxClientConfig(sandbox.endpoint));
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('seed files', () => {
  it('creates the seeded clusters, task definitions and services, which start with the seeded timings', async () => {
    sandbox.clock.advance(2_000);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
    expect(services?.[0]).toMatchObject({ runningCount: 2, taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' });
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: taskArns }));
    expect(tasks?.[0]?.startedAt).toEqual(new Date('2026-03-01T12:00:02Z'));
  });

  it('loads the core sections', async () => {
    const state = (await (await fetch(`${sandbox.endpoint}/_sandbox/state`)).json()) as { behaviours: unknown[]; faults: { throttle: object } };
    expect(state.behaviours).toMatchObject([{ image: '*:broken', healthy: false }]);
    expect(state.faults.throttle).toEqual({ 'ecs.RegisterTaskDefinition': { burst: 20, refillPerSecond: 1 } });
  });

  it('names the bad section or service in its errors', () => {
    expect(() => createAccount({ seed: { elb: {} } })).toThrow(/unknown section\(s\) elb/);
    expect(() => createAccount({ seed: { ecs: { services: [{ serviceName: 'x', cluster: 'nope' }] } } })).toThrow('seed section ecs: service x: Cluster not found.');
    expect(() => createAccount({ seed: { ecs: { timings: { pendingSeconds: -1 } } } })).toThrow(/seed section ecs/);
  });
});

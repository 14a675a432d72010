import { CloudWatchClient, DescribeAlarmsCommand, ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { AwsError } from '../../src/sandbox/core/errors.js';
import type { SandboxServiceFactory } from '../../src/sandbox/core/service.js';
import { ecsService } from '../../src/sandbox/ecs/service.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const received: unknown[] = [];

/** A stand-in query service, to check the core's awsQuery and query-compatible JSON paths. */
const fakeElbv2: SandboxServiceFactory = (ctx) => {
  ctx.api.registerQueryService({
    name: 'elbv2',
    signingName: 'elasticloadbalancing',
    version: '2015-12-01',
    xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    handlers: {
      DescribeTargetGroups: (input: { Names?: string[] }) => {
        received.push(input);
        if (input.Names?.includes('missing')) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
        return {
          TargetGroups: [{ TargetGroupName: 'blue', Port: 80, HealthCheckEnabled: true, Matcher: { HttpCode: '200' } }],
        };
      },
      ModifyRule: (input: unknown) => {
        received.push(input);
        return { Rules: [] };
      },
    },
  });
  return { name: 'elbv2', state: () => ({}) };
};

const fakeCloudWatch: SandboxServiceFactory = (ctx) => {
  const handlers = {
    DescribeAlarms: (input: { AlarmNames?: string[] }) => {
      if (input.AlarmNames?.includes('missing')) throw new AwsError('ResourceNotFound', 'no such alarm', 404);
      return { MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK', StateUpdatedTimestamp: new Date(Date.UTC(2026, 0, 1)) }] };
    },
  };
  ctx.api.registerJsonService({ name: 'cloudwatch', targetPrefix: 'GraniteServiceVersion20100801', handlers });
  ctx.api.registerQueryService({ name: 'cloudwatch', signingName: 'monitoring', version: '2010-08-01', xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/', handlers });
  return { name: 'cloudwatch', state: () => ({}) };
};

let sandbox: RunningSandbox;
let clock: ManualClock;
let elbv2: ElasticLoadBalancingV2Client;
let cloudwatch: CloudWatchClient;
let ecs: ECSClient;

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock, services: [ecsService, fakeElbv2, fakeCloudWatch] });
  const config = { endpoint: sandbox.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  elbv2 = new ElasticLoadBalancingV2Client(config);
  cloudwatch = new CloudWatchClient(config);
  ecs = new ECSClient(config);
});

afterAll(async () => {
  for (const client of [elbv2, cloudwatch, ecs]) client.destroy();
  await sandbox.stop();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sandbox.endpoint}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe('awsQuery', () => {
  it('un-flattens nested member lists and serializes XML the SDK reads', async () => {
    const output = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['blue', 'green'] }));
    expect(received.at(-1)).toEqual({ Names: ['blue', 'green'] });
    expect(output.TargetGroups).toEqual([{ TargetGroupName: 'blue', Port: 80, HealthCheckEnabled: true, Matcher: { HttpCode: '200' } }]);
  });

  it('passes nested forward-config weights as plain objects (scalars stay strings)', async () => {
    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: 'arn:rule',
        Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:a', Weight: 90 }, { TargetGroupArn: 'arn:b', Weight: 10 }] } }],
      }),
    );
    expect(received.at(-1)).toEqual({
      RuleArn: 'arn:rule',
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'arn:a', Weight: '90' }, { TargetGroupArn: 'arn:b', Weight: '10' }] } }],
    });
  });

  it('returns errors the SDK maps to its exception class', async () => {
    const error = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['missing'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
    expect((error as Error).message).toBe('One or more target groups not found');
    expect((error as TargetGroupNotFoundException).$metadata.httpStatusCode).toBe(400);
  });
});

describe('awsJson1_0 in query-compatible mode (CloudWatch)', () => {
  it('round-trips timestamps as epoch seconds', async () => {
    const output = await cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(output.MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));
  });

  it('maps errors to the SDK exception class', async () => {
    const error = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['missing'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFound);
    expect((error as Error).message).toBe('no such alarm');
  });
});

describe('faults', () => {
  it('throttles with a per-operation token bucket that refills with simulated time', async () => {
    await admin('POST', '/_sandbox/faults', { throttle: { 'ecs.ListClusters': { burst: 2, refillPerSecond: 1 } } });
    await ecs.send(new ListClustersCommand({}));
    await ecs.send(new ListClustersCommand({}));
    const error = await ecs.send(new ListClustersCommand({})).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ThrottlingException');
    expect((error as Error).message).toBe('Rate exceeded');
    clock.advance(1000);
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    await admin('POST', '/_sandbox/faults', {});
  });

  it('injects server errors at the configured rate', async () => {
    await admin('POST', '/_sandbox/faults', { serverErrorRate: 1 });
    const error = await ecs.send(new ListClustersCommand({})).catch((e: unknown) => e);
    expect(['ServiceUnavailable', 'InternalFailure']).toContain((error as Error).name);
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    await admin('POST', '/_sandbox/faults', {});
  });

  it('hides new resources from reads for the eventual-consistency window', async () => {
    await admin('POST', '/_sandbox/faults', { consistencyWindowMs: 2000 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'eventual' }));
    const early = await ecs.send(new DescribeClustersCommand({ clusters: ['eventual'] }));
    expect(early.failures).toMatchObject([{ reason: 'MISSING' }]);
    clock.advance(2000);
    const later = await ecs.send(new DescribeClustersCommand({ clusters: ['eventual'] }));
    expect(later.clusters?.map((c) => c.clusterName)).toEqual(['eventual']);
    await admin('POST', '/_sandbox/faults', {});
  });

  it('rejects an invalid fault configuration with a clear message', async () => {
    const response = await admin('POST', '/_sandbox/faults', { serverErrorRate: 2 });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain('serverErrorRate');
  });
});

describe('admin endpoints', () => {
  it('logs every call with its outcome', async () => {
    const before = (await admin('GET', '/_sandbox/calls')).json as Array<{ seq: number }>;
    const since = before.at(-1)?.seq ?? 0;
    await ecs.send(new ListClustersCommand({}));
    await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['missing'] })).catch(() => undefined);
    const calls = (await admin('GET', `/_sandbox/calls?since=${since}`)).json;
    expect(calls).toMatchObject([
      { service: 'ecs', operation: 'ListClusters', mutating: false, outcome: 'ok', time: clock.now() },
      { service: 'elbv2', operation: 'DescribeTargetGroups', mutating: false, outcome: 'error', errorCode: 'TargetGroupNotFound' },
    ]);
  });

  it('advances the clock', async () => {
    const start = clock.now();
    const response = await admin('POST', '/_sandbox/clock/advance', { ms: 5000 });
    expect(response.json).toMatchObject({ now: start + 5000 });
    expect(clock.now()).toBe(start + 5000);
  });

  it('sets behaviours and shows them in the state', async () => {
    await admin('POST', '/_sandbox/behaviours', { image: '*:bad', healthy: false });
    const state = (await admin('GET', '/_sandbox/state')).json as { behaviours: unknown[]; ecs: unknown };
    expect(state.behaviours).toMatchObject([{ image: '*:bad', healthy: false }]);
    expect(state.ecs).toBeDefined();
    expect((await admin('POST', '/_sandbox/behaviours', { healthy: false })).status).toBe(400);
  });

  it('answers an unknown admin path with 404 and the list of endpoints', async () => {
    const response = await admin('GET', '/_sandbox/nope');
    expect(response.status).toBe(404);
  });
});

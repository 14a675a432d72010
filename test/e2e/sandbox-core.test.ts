import { CreateClusterCommand, DescribeClustersCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';

let sandbox: RunningSandbox;
let ecs: ECSClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, clock: new ManualClock() });
  ecs = new ECSClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  ecs.destroy();
  await sandbox.stop();
});

describe('sandbox core over HTTP', () => {
  it('serves ECS through the real SDK client', async () => {
    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    expect(created.cluster?.clusterArn).toBe('arn:aws:ecs:us-east-1:123456789012:cluster/prod');
    const listed = await ecs.send(new ListClustersCommand({}));
    expect(listed.clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/prod']);
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['prod', 'nope'] }));
    expect(described.clusters?.map((c) => c.status)).toEqual(['ACTIVE']);
    expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/nope', reason: 'MISSING' }]);
  });
});

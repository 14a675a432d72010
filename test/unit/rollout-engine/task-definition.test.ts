import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTaskDefinitionCommand, type DescribeTaskDefinitionCommandOutput, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { normalizeTaskDefinition } from '../../../src/diff/index.js';
import { TaskDefinitionCache } from '../../../src/observe/index.js';
import { ensureRegistered, REVISIONS_COMPARED } from '../../../src/rollout/engine/task-definition.js';

const ARN = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const context = { partition: 'aws', accountId: '123456789012' };
const desired = normalizeTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:2' }] }, context);

/** What DescribeTaskDefinition returns: AWS's defaults filled in, our tags on it. */
function described(revision: number, image: string): DescribeTaskDefinitionCommandOutput {
  return {
    $metadata: {},
    taskDefinition: {
      taskDefinitionArn: ARN('web', revision),
      family: 'web',
      revision,
      status: 'ACTIVE' as const,
      networkMode: 'bridge' as const,
      containerDefinitions: [{ name: 'app', image, cpu: 0, essential: true, portMappings: [], environment: [], mountPoints: [], volumesFrom: [] }],
      volumes: [],
      placementConstraints: [],
      compatibilities: ['EC2' as const],
    },
    tags: [
      { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
      { key: 'ecs-reconciler:revision', value: 'old-commit' },
    ],
  };
}

function setup(revisions: Record<string, string>) {
  const ecs = new ECSClient({ region: 'us-east-1' });
  const mock = mockClient(ecs);
  mock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: Object.keys(revisions) });
  for (const [arn, image] of Object.entries(revisions)) {
    mock.on(DescribeTaskDefinitionCommand, { taskDefinition: arn }).resolves(described(Number(arn.split(':').pop()), image));
  }
  mock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: ARN('web', 99) } });
  const source = { ecs, cache: new TaskDefinitionCache(), context, instance: 'ecs-reconciler', revision: 'abc123' };
  return { mock, source };
}

describe('registering the new version once', () => {
  it('reuses the newest ACTIVE revision with the same content, whatever commit registered it', async () => {
    const { mock, source } = setup({ [ARN('web', 5)]: 'web:2', [ARN('web', 4)]: 'web:1' });
    expect(await ensureRegistered(source, desired)).toEqual({ arn: ARN('web', 5), registered: false });
    expect(mock.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toEqual({ familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', maxResults: REVISIONS_COMPARED });
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    // Revisions are immutable: a second look is served from the cache.
    await ensureRegistered(source, desired);
    expect(mock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });

  it('registers with the managed-by and revision tags when no revision matches, ignoring other families', async () => {
    const { mock, source } = setup({ [ARN('web-admin', 3)]: 'web:2', [ARN('web', 4)]: 'web:1' });
    expect(await ensureRegistered(source, desired)).toEqual({ arn: ARN('web', 99), registered: true });
    expect(mock.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition)).toEqual([ARN('web', 4)]);
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input).toMatchObject({
      family: 'web',
      tags: [
        { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
        { key: 'ecs-reconciler:revision', value: 'abc123' },
      ],
    });
  });
});

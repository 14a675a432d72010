import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateTaskSetCommand, DeleteTaskSetCommand, ECSClient, TagResourceCommand, UpdateTaskSetCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { REGISTERED_TASK_DEFINITION } from '../../../src/plan/index.js';
import { executeRolloutActions } from '../../../src/rollout/engine/execute.js';
import type { ActionHooks } from '../../../src/rollout/engine/execute.js';
import type { RolloutAction } from '../../../src/rollout/index.js';

const base = { cluster: 'prod', service: 'web' };
const tag: RolloutAction = { kind: 'TagResource', api: 'ecs', reason: 'record', resourceKey: 'prod/web', input: { resourceArn: 'arn:svc', tags: [{ key: 'ecs-reconciler:rollout', value: 'v=1' }] } };
const create: RolloutAction = { kind: 'CreateTaskSet', api: 'ecs', reason: 'new version', resourceKey: 'prod/web', input: { ...base, taskDefinition: REGISTERED_TASK_DEFINITION, externalId: 'h', clientToken: 't' } };
const scale: RolloutAction = { kind: 'UpdateTaskSet', api: 'ecs', reason: 'scale', resourceKey: 'prod/web', input: { ...base, taskSet: 'ts', scale: { unit: 'PERCENT', value: 10 } } };
const shift: RolloutAction = { kind: 'ModifyRule', api: 'elbv2', reason: 'weight', resourceKey: 'prod/web', input: { RuleArn: 'rule', Actions: [] } };
const remove: RolloutAction = { kind: 'DeleteTaskSet', api: 'ecs', reason: 'old', resourceKey: 'prod/web', input: { ...base, taskSet: 'old' } };
const start: RolloutAction = { kind: 'StartAnalysis', api: 'analysis', reason: 'step', resourceKey: 'prod/web', input: { runId: 'r', templates: ['t'], args: [], background: false } };

function setup() {
  const ecs = new ECSClient({ region: 'us-east-1' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  const mocks = { ecs: mockClient(ecs), elbv2: mockClient(elbv2) };
  mocks.ecs.onAnyCommand().resolves({});
  mocks.elbv2.onAnyCommand().resolves({});
  const hooks: ActionHooks = { taskDefinitionArn: () => Promise.resolve('arn:td:7'), startAnalysis: () => Promise.resolve(false), stopAnalysis: () => Promise.resolve(true) };
  return { clients: { ecs, elbv2 }, mocks, hooks };
}

describe('sending a rollout', () => {
  it('sends every action in order, resolving the registered task definition and forcing deletes', async () => {
    const { clients, mocks, hooks } = setup();
    const execution = await executeRolloutActions(clients, [tag, create, start, remove, shift], hooks);
    expect(execution.error).toBeUndefined();
    expect(execution.results.map((r) => `${r.kind}:${r.status}`)).toEqual(['TagResource:ok', 'CreateTaskSet:ok', 'StartAnalysis:noop', 'DeleteTaskSet:ok', 'ModifyRule:ok']);
    expect(mocks.ecs.commandCalls(CreateTaskSetCommand)[0]?.args[0].input).toMatchObject({ taskDefinition: 'arn:td:7', clientToken: 't' });
    expect(mocks.ecs.commandCalls(DeleteTaskSetCommand)[0]?.args[0].input).toEqual({ ...base, taskSet: 'old', force: true });
  });

  it('stops at the first failure: nothing after it is sent', async () => {
    const { clients, mocks, hooks } = setup();
    mocks.ecs.on(UpdateTaskSetCommand).rejects(Object.assign(new Error('Service was not ACTIVE.'), { name: 'ServiceNotActiveException' }));
    const execution = await executeRolloutActions(clients, [tag, scale, shift], hooks);
    expect(execution.results.map((r) => `${r.kind}:${r.status}`)).toEqual(['TagResource:ok', 'UpdateTaskSet:failed', 'ModifyRule:skipped']);
    expect(execution.error).toEqual({ code: 'ServiceNotActiveException', message: 'UpdateTaskSet: Service was not ACTIVE.' });
    expect(mocks.elbv2.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(TagResourceCommand)).toHaveLength(1);
  });
});

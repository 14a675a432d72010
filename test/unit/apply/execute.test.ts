import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateServiceCommand, DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationAutoScalingClient, PutScalingPolicyCommand } from '@aws-sdk/client-application-auto-scaling';
import { executeActions, PendingRegistrations } from '../../../src/apply/index.js';
import { TaskDefinitionCache } from '../../../src/observe/index.js';
import { REGISTERED_TASK_DEFINITION } from '../../../src/plan/index.js';
import type { PlannedAction } from '../../../src/plan/index.js';

const TD_ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09';

function mockedClients() {
  const ecs = new ECSClient({ region: 'us-east-1' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  const autoscaling = new ApplicationAutoScalingClient({ region: 'us-east-1' });
  const sent: string[] = [];
  const record = (name: string, output: object = {}) => () => {
    sent.push(name);
    return output;
  };
  const mocks = { ecs: mockClient(ecs), elbv2: mockClient(elbv2), autoscaling: mockClient(autoscaling) };
  mocks.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
  mocks.ecs.on(RegisterTaskDefinitionCommand).callsFake(record('RegisterTaskDefinition', { taskDefinition: { taskDefinitionArn: TD_ARN } }));
  mocks.ecs.on(UpdateServiceCommand).callsFake(record('UpdateService'));
  mocks.ecs.on(CreateServiceCommand).callsFake(record('CreateService'));
  mocks.ecs.on(TagResourceCommand).callsFake(record('TagResource'));
  mocks.elbv2.on(ModifyTargetGroupCommand).callsFake(record('ModifyTargetGroup'));
  mocks.autoscaling.on(PutScalingPolicyCommand).callsFake(record('PutScalingPolicy'));
  return { clients: { ecs, elbv2, autoscaling }, mocks, sent };
}

const register: PlannedAction = {
  kind: 'RegisterTaskDefinition',
  api: 'ecs',
  reason: 'task definition content differs',
  resourceKey: 'task-definition/web',
  input: { family: 'web', containerDefinitions: [{ name: 'app', image: 'web:2' }] },
};
const update: PlannedAction = {
  kind: 'UpdateService',
  api: 'ecs',
  reason: 'taskDefinition differ',
  resourceKey: 'demo/web',
  input: { cluster: 'demo', service: 'web', taskDefinition: REGISTERED_TASK_DEFINITION },
};
const modifyTargetGroup: PlannedAction = {
  kind: 'ModifyTargetGroup',
  api: 'elbv2',
  reason: 'health check differs',
  resourceKey: TG_ARN,
  input: { TargetGroupArn: TG_ARN, HealthyThresholdCount: 2 },
};
const putPolicy: PlannedAction = {
  kind: 'PutScalingPolicy',
  api: 'autoscaling',
  reason: 'target value differs',
  resourceKey: 'service/demo/web/policy/cpu70',
  input: { PolicyName: 'cpu70', ServiceNamespace: 'ecs', ResourceId: 'service/demo/web', ScalableDimension: 'ecs:service:DesiredCount', PolicyType: 'TargetTrackingScaling' },
};

describe('executeActions', () => {
  it('sends one call per action, in plan order, on the client of each action\'s API', async () => {
    const { clients, sent } = mockedClients();
    const execution = await executeActions(clients, [modifyTargetGroup, register, update, putPolicy]);
    expect(sent).toEqual(['ModifyTargetGroup', 'RegisterTaskDefinition', 'UpdateService', 'PutScalingPolicy']);
    expect(execution.error).toBeUndefined();
    expect(execution.actions.map((action) => action.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('puts the ARN that RegisterTaskDefinition returned into the UpdateService after it', async () => {
    const { clients, mocks } = mockedClients();
    await executeActions(clients, [register, update]);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster: 'demo', service: 'web', taskDefinition: TD_ARN });
    expect(mocks.ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input).toEqual(register.input);
  });

  it('stops the service at the first failure, reports AWS\'s error code and message, and skips the rest', async () => {
    const { clients, mocks, sent } = mockedClients();
    const failure = Object.assign(new Error('Unable to assume role'), { name: 'ClientException' });
    mocks.ecs.on(RegisterTaskDefinitionCommand).rejects(failure);
    const execution = await executeActions(clients, [modifyTargetGroup, register, update]);
    expect(sent).toEqual(['ModifyTargetGroup']);
    expect(execution.error).toEqual({ code: 'ClientException', message: 'Unable to assume role', action: 'RegisterTaskDefinition' });
    expect(execution.actions.map((action) => `${action.kind}:${action.status}`)).toEqual(['ModifyTargetGroup:ok', 'RegisterTaskDefinition:failed', 'UpdateService:skipped']);
  });

  it('refuses to send a service update that refers to a task definition never registered', async () => {
    const { clients, sent } = mockedClients();
    const execution = await executeActions(clients, [update]);
    expect(sent).toEqual([]);
    expect(execution.error?.message).toMatch(/none was registered/);
  });

  describe('with the registrations kept across passes', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    it('reuses a registration whose service update failed instead of registering the same content again', async () => {
      const { clients, mocks, sent } = mockedClients();
      const registrations = new PendingRegistrations();
      mocks.ecs.on(UpdateServiceCommand).rejectsOnce(throttled).callsFake(() => sent.push('UpdateService'));
      expect((await executeActions(clients, [register, update], { registrations })).error?.code).toBe('ThrottlingException');
      expect(registrations.size).toBe(1);

      const retry = await executeActions(clients, [register, update], { registrations });
      expect(sent).toEqual(['RegisterTaskDefinition', 'UpdateService']);
      expect(retry.actions.map((action) => action.status)).toEqual(['ok', 'ok']);
      expect(retry.actions[0]?.reason).toContain(`reusing ${TD_ARN}`);
      expect(mocks.ecs.commandCalls(UpdateServiceCommand)[1]?.args[0].input.taskDefinition).toBe(TD_ARN);
      // Done: the next change of the same content (after a rollback, say) registers afresh.
      expect(registrations.size).toBe(0);
    });

    it('forgets a reused registration whose update failed again, so the third attempt registers anew', async () => {
      const { clients, mocks, sent } = mockedClients();
      const registrations = new PendingRegistrations();
      const inactive = Object.assign(new Error('TaskDefinition is inactive'), { name: 'ClientException' });
      mocks.ecs.on(UpdateServiceCommand).rejectsOnce(throttled).rejectsOnce(inactive).callsFake(() => sent.push('UpdateService'));
      await executeActions(clients, [register, update], { registrations });
      expect((await executeActions(clients, [register, update], { registrations })).error?.code).toBe('ClientException');
      expect(registrations.size).toBe(0);
      await executeActions(clients, [register, update], { registrations });
      expect(sent).toEqual(['RegisterTaskDefinition', 'RegisterTaskDefinition', 'UpdateService']);
    });

    it('keys registrations by content: another task definition is registered', async () => {
      const { clients, sent } = mockedClients();
      const registrations = new PendingRegistrations();
      registrations.set(register.input, TD_ARN);
      const other: PlannedAction = { ...register, input: { family: 'web', containerDefinitions: [{ name: 'app', image: 'web:3' }] } };
      await executeActions(clients, [other, update], { registrations });
      expect(sent).toEqual(['RegisterTaskDefinition', 'UpdateService']);
      expect(registrations.size).toBe(1);
    });
  });

  describe('across a restart (nothing kept in the process)', () => {
    const OLD_ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:6';
    /** DescribeTaskDefinition as AWS answers it: defaults filled in, controller tags of another commit. */
    function registered(arn: string, image: string) {
      return {
        taskDefinition: {
          taskDefinitionArn: arn,
          family: 'web',
          revision: Number(arn.split(':').pop()),
          status: 'ACTIVE' as const,
          networkMode: 'bridge' as const,
          containerDefinitions: [{ name: 'app', image, cpu: 0, essential: true, portMappings: [], environment: [], mountPoints: [], volumesFrom: [] }],
          volumes: [],
          placementConstraints: [],
          compatibilities: ['EC2' as const],
        },
        tags: [
          { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' },
          { key: 'ecs-reconciler:revision', value: 'the-commit-before-the-crash' },
        ],
      };
    }

    it('reuses the family\'s newest revision when it holds the content: a registration whose next step failed before a restart', async () => {
      const { clients, mocks, sent } = mockedClients();
      mocks.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [TD_ARN] });
      mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TD_ARN }).resolves(registered(TD_ARN, 'web:2'));
      const execution = await executeActions(clients, [register, update]);
      expect(sent).toEqual(['UpdateService']);
      expect(execution.actions[0]?.reason).toContain(`reusing ${TD_ARN}`);
      expect(mocks.ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.taskDefinition).toBe(TD_ARN);
      expect(mocks.ecs.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toEqual({ familyPrefix: 'web', status: 'ACTIVE', sort: 'DESC', maxResults: 1 });
    });

    it('registers when the newest revision holds other content, and ignores another family that shares the prefix', async () => {
      const { clients, mocks, sent } = mockedClients();
      const admin = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web-admin:3';
      mocks.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [admin, OLD_ARN] });
      mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: OLD_ARN }).resolves(registered(OLD_ARN, 'web:1'));
      await executeActions(clients, [register, update]);
      expect(sent).toEqual(['RegisterTaskDefinition', 'UpdateService']);
      expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition)).toEqual([OLD_ARN]);
    });

    it('reads a revision once: the cache kept by a long-running caller answers the next comparison', async () => {
      const { clients, mocks } = mockedClients();
      const taskDefinitions = new TaskDefinitionCache();
      mocks.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [OLD_ARN] });
      mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: OLD_ARN }).resolves(registered(OLD_ARN, 'web:1'));
      await executeActions(clients, [register, update], { taskDefinitions });
      await executeActions(clients, [register, update], { taskDefinitions });
      expect(mocks.ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
    });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTaskSetsCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import type { Service } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { managedServices, observeClusters, observeServices, TaskDefinitionCache } from '../../../src/observe/index.js';
import type { ObserveContext } from '../../../src/observe/index.js';

const ACCOUNT = '123456789012';
const clusterArn = (cluster: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${cluster}`;
const tdArn = (family: string, revision = 1) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${revision}`;
const tgArn = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/${name}/0123456789abcdef`;

function fakeService(cluster: string, name: string, extra: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${cluster}/${name}`,
    clusterArn: clusterArn(cluster),
    status: 'ACTIVE',
    taskDefinition: tdArn(name),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    launchType: 'FARGATE',
    deploymentController: { type: 'ECS' },
    tags: [{ key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' }],
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: tdArn(name), desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }],
    ...extra,
  };
}

/** A fake ECS account: services per cluster, answering List/Describe like AWS (10 per describe, paging by 100). */
function fakeAccount(clusters: Record<string, Service[]>) {
  const ecs = mockClient(ECSClient);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const autoscaling = mockClient(ApplicationAutoScalingClient);
  ecs.on(ListServicesCommand).callsFake((input: { cluster: string; maxResults?: number; nextToken?: string }) => {
    const all = clusters[input.cluster] ?? [];
    const start = Number(input.nextToken ?? 0);
    const end = start + (input.maxResults ?? 10);
    return { serviceArns: all.slice(start, end).map((s) => s.serviceArn), ...(end < all.length ? { nextToken: String(end) } : {}) };
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string; services: string[] }) => {
    if (input.services.length > 10) throw new Error('at most 10 services per DescribeServices');
    const all = clusters[input.cluster] ?? [];
    const services = input.services.flatMap((name) => all.filter((s) => s.serviceName === name));
    const failures = input.services.filter((name) => !services.some((s) => s.serviceName === name)).map((name) => ({ arn: name, reason: 'MISSING' }));
    return { services, failures };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: { taskDefinitionArn: input.taskDefinition, family: input.taskDefinition.split('/')[1]?.split(':')[0], revision: 1, containerDefinitions: [] },
    tags: [],
  }));
  ecs.on(DescribeTaskSetsCommand).resolves({ taskSets: [] });
  autoscaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  autoscaling.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] });
  autoscaling.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });
  const context: ObserveContext = {
    clients: { ecs: new ECSClient({}), elbv2: new ElasticLoadBalancingV2Client({}), autoscaling: new ApplicationAutoScalingClient({}) },
    taskDefinitions: new TaskDefinitionCache(),
  };
  const calls = () => {
    const counts: Record<string, number> = {};
    for (const mock of [ecs, elbv2, autoscaling]) {
      for (const call of mock.calls()) {
        const name = (call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return counts;
  };
  const reset = () => {
    ecs.resetHistory();
    elbv2.resetHistory();
    autoscaling.resetHistory();
  };
  return { ecs, elbv2, autoscaling, context, calls, reset };
}

const servicesNamed = (cluster: string, count: number) => Array.from({ length: count }, (_, i) => fakeService(cluster, `svc-${String(i).padStart(3, '0')}`));

describe('observe call budget', () => {
  let account: ReturnType<typeof fakeAccount>;

  describe('a resync of 25 services in one cluster', () => {
    beforeEach(() => {
      account = fakeAccount({ prod: servicesNamed('prod', 25) });
    });

    it('costs 1 ListServices + 3 DescribeServices + one DescribeTaskDefinition per new revision + 1 DescribeScalableTargets', async () => {
      const state = await observeClusters(account.context, ['prod']);
      expect(Object.keys(state.services)).toHaveLength(25);
      expect(account.calls()).toEqual({ ListServices: 1, DescribeServices: 3, DescribeTaskDefinition: 25, DescribeScalableTargets: 1 });
    });

    it('reads no task definition twice: the second resync costs 1 + 3 + 1', async () => {
      await observeClusters(account.context, ['prod']);
      account.reset();
      await observeClusters(account.context, ['prod']);
      expect(account.calls()).toEqual({ ListServices: 1, DescribeServices: 3, DescribeScalableTargets: 1 });
    });
  });

  it('reads task definitions only for the detail keys: a resync for prune does not describe unnamed services', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 25) });
    const state = await observeClusters(account.context, ['prod'], { detailKeys: ['prod/svc-000', 'prod/svc-001'] });
    expect(Object.keys(state.services)).toHaveLength(25);
    expect(account.calls()).toEqual({ ListServices: 1, DescribeServices: 3, DescribeTaskDefinition: 2, DescribeScalableTargets: 1 });
  });

  it.each([
    [1, { DescribeServices: 1, DescribeScalableTargets: 1 }],
    [10, { DescribeServices: 1, DescribeScalableTargets: 1 }],
    [11, { DescribeServices: 2, DescribeScalableTargets: 1 }],
    [51, { DescribeServices: 6, DescribeScalableTargets: 2 }],
  ])('observing %i known keys (cached task definitions) costs %j', async (count, expected) => {
    account = fakeAccount({ prod: servicesNamed('prod', count) });
    await observeServices(account.context, servicesNamed('prod', count).map((s) => `prod/${s.serviceName}`));
    account.reset();
    await observeServices(account.context, servicesNamed('prod', count).map((s) => `prod/${s.serviceName}`));
    expect(account.calls()).toEqual(expected);
  });

  it('pages ListServices by 100: 250 services cost 3 List + 25 Describe', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 250) });
    await observeClusters(account.context, ['prod']);
    const calls = account.calls();
    expect(calls.ListServices).toBe(3);
    expect(calls.DescribeServices).toBe(25);
    expect(account.ecs.commandCalls(ListServicesCommand).every((call) => call.args[0].input.maxResults === 100)).toBe(true);
    expect(account.ecs.commandCalls(DescribeServicesCommand).every((call) => call.args[0].input.include?.includes('TAGS'))).toBe(true);
  });

  it('reports asked-for keys that do not exist or are INACTIVE as missing', async () => {
    account = fakeAccount({ prod: [fakeService('prod', 'a'), fakeService('prod', 'gone', { status: 'INACTIVE' })] });
    const state = await observeServices(account.context, ['prod/a', 'prod/b', 'prod/gone']);
    expect(Object.keys(state.services)).toEqual(['prod/a']);
    expect(state.missing).toEqual(['prod/b', 'prod/gone']);
  });

  it('groups keys by cluster: 3 services in 2 clusters cost one DescribeServices per cluster', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 2), stage: servicesNamed('stage', 1) });
    const state = await observeServices(account.context, ['prod/svc-000', 'prod/svc-001', 'stage/svc-000']);
    expect(Object.keys(state.services)).toEqual(['prod/svc-000', 'prod/svc-001', 'stage/svc-000']);
    expect(account.calls().DescribeServices).toBe(2);
  });

  it('reads task sets (with tags) only for EXTERNAL services, and their task definitions too', async () => {
    const external = fakeService('prod', 'canary', { deploymentController: { type: 'EXTERNAL' }, taskDefinition: undefined, deployments: [] });
    account = fakeAccount({ prod: [external, fakeService('prod', 'plain')] });
    account.ecs.on(DescribeTaskSetsCommand).resolves({
      taskSets: [
        { id: 'ts-1', taskSetArn: 'arn:ts-1', status: 'PRIMARY', taskDefinition: tdArn('canary', 1), externalId: 'h1', computedDesiredCount: 2, tags: [{ key: 'step', value: '0' }] },
        { id: 'ts-2', taskSetArn: 'arn:ts-2', status: 'ACTIVE', taskDefinition: tdArn('canary', 2), externalId: 'h2', computedDesiredCount: 1 },
      ],
    });
    const state = await observeServices(account.context, ['prod/canary', 'prod/plain']);
    expect(account.calls().DescribeTaskSets).toBe(1);
    expect(account.ecs.commandCalls(DescribeTaskSetsCommand)[0]?.args[0].input).toMatchObject({ service: 'canary', include: ['TAGS'] });
    expect(state.services['prod/canary']?.taskSets.map((t) => [t.id, t.tags])).toEqual([
      ['ts-1', { step: '0' }],
      ['ts-2', {}],
    ]);
    expect(Object.keys(state.taskDefinitions).sort()).toEqual([tdArn('canary', 1), tdArn('canary', 2), tdArn('plain')]);
  });

  it('reads scaling policies and scheduled actions only for services with a scalable target', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 3) });
    account.autoscaling.on(DescribeScalableTargetsCommand).resolves({
      ScalableTargets: [
        {
          ServiceNamespace: 'ecs',
          ResourceId: 'service/prod/svc-001',
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 2,
          MaxCapacity: 10,
          RoleARN: 'r',
          CreationTime: new Date(0),
        },
      ],
    });
    account.autoscaling.on(DescribeScalingPoliciesCommand).resolves({
      ScalingPolicies: [
        {
          PolicyName: 'cpu70',
          PolicyARN: 'arn:p',
          ServiceNamespace: 'ecs',
          ResourceId: 'service/prod/svc-001',
          ScalableDimension: 'ecs:service:DesiredCount',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 },
          CreationTime: new Date(0),
        },
      ],
    });
    const state = await observeServices(account.context, ['prod/svc-000', 'prod/svc-001', 'prod/svc-002']);
    expect(account.calls()).toMatchObject({ DescribeScalableTargets: 1, DescribeScalingPolicies: 1, DescribeScheduledActions: 1 });
    expect(account.autoscaling.commandCalls(DescribeScalingPoliciesCommand)[0]?.args[0].input).toMatchObject({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/prod/svc-001',
    });
    expect(state.scalableTargets['service/prod/svc-001']).toMatchObject({ minCapacity: 2, maxCapacity: 10 });
    expect(state.scalingPolicies['service/prod/svc-001']?.map((p) => p.policyName)).toEqual(['cpu70']);
  });

  it('pages scalable targets and scaling policies namespace-wide on a resync, keeping only the observed clusters', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 30) });
    const namespace = [...servicesNamed('prod', 30).map((s) => `service/prod/${s.serviceName}`), 'service/other/svc-000'];
    account.autoscaling.on(DescribeScalableTargetsCommand).callsFake((input: { ResourceIds?: string[] }) => ({
      ScalableTargets: (input.ResourceIds ?? namespace).map((id) => ({ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 4 })),
    }));
    const state = await observeClusters(account.context, ['prod']);
    expect(account.autoscaling.commandCalls(DescribeScalableTargetsCommand).map((call) => call.args[0].input.ResourceIds)).toEqual([undefined]);
    expect(Object.keys(state.scalableTargets)).toHaveLength(30);
    const policyCalls = account.autoscaling.commandCalls(DescribeScalingPoliciesCommand);
    expect(policyCalls).toHaveLength(1);
    expect(policyCalls[0]?.args[0].input.ResourceId).toBeUndefined();
  });

  it('batches target groups by 20 (names and ARNs apart), rules by 20, and reads attributes and health only when asked', async () => {
    account = fakeAccount({});
    const names = Array.from({ length: 21 }, (_, i) => `tg-${i}`);
    account.elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { Names?: string[]; TargetGroupArns?: string[] }) => ({
      TargetGroups: [...(input.Names ?? []).map((name) => ({ TargetGroupName: name, TargetGroupArn: tgArn(name) })), ...(input.TargetGroupArns ?? []).map((arn) => ({ TargetGroupArn: arn, TargetGroupName: arn.split('/')[1] }))],
    }));
    account.elbv2.on(DescribeRulesCommand).callsFake((input: { RuleArns: string[] }) => ({
      Rules: input.RuleArns.map((arn) => ({
        RuleArn: arn,
        Priority: '1',
        Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn('tg-0'), Weight: 90 }, { TargetGroupArn: tgArn('tg-1'), Weight: 10 }] } }],
      })),
    }));
    account.elbv2.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
    account.elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.0.1', Port: 8080 }, TargetHealth: { State: 'healthy' } }] });

    const state = await observeServices(account.context, [], {
      targetGroups: [...names, tgArn('other')],
      targetGroupAttributes: ['tg-3'],
      ruleArns: ['arn:rule-1', 'arn:rule-2'],
      targetHealth: ['tg-4'],
    });
    expect(account.calls()).toEqual({ DescribeTargetGroups: 3, DescribeRules: 1, DescribeTargetGroupAttributes: 1, DescribeTargetHealth: 1 });
    expect(state.targetGroupArnsByName['tg-20']).toBe(tgArn('tg-20'));
    expect(state.targetGroups[tgArn('tg-3')]?.attributes).toEqual({ 'deregistration_delay.timeout_seconds': '30' });
    expect(state.targetGroups[tgArn('tg-2')]?.attributes).toBeUndefined();
    expect(state.rules['arn:rule-1']?.forward).toEqual([
      { targetGroupArn: tgArn('tg-0'), weight: 90 },
      { targetGroupArn: tgArn('tg-1'), weight: 10 },
    ]);
    expect(state.targetHealth[tgArn('tg-4')]).toEqual([{ id: '10.0.0.1', port: 8080, state: 'healthy' }]);
  });

  it('treats a target group that does not exist as absent, not as a failure', async () => {
    account = fakeAccount({});
    account.elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { Names: string[] }) => {
      if (input.Names.includes('missing')) throw Object.assign(new Error('One or more target groups not found'), { name: 'TargetGroupNotFoundException' });
      return { TargetGroups: input.Names.map((name) => ({ TargetGroupName: name, TargetGroupArn: tgArn(name) })) };
    });
    const state = await observeServices(account.context, [], { targetGroups: ['present', 'missing'] });
    expect(state.targetGroupArnsByName).toEqual({ present: tgArn('present') });
  });

  it('treats a cluster that does not exist as having no services', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 1) });
    const notFound = Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' });
    account.ecs.on(DescribeServicesCommand, { cluster: 'ghost' }).rejects(notFound);
    account.ecs.on(ListServicesCommand, { cluster: 'ghost' }).rejects(notFound);
    const byKey = await observeServices(account.context, ['prod/svc-000', 'ghost/web']);
    expect(Object.keys(byKey.services)).toEqual(['prod/svc-000']);
    expect(byKey.missing).toEqual(['ghost/web']);
    const byCluster = await observeClusters(account.context, ['prod', 'ghost']);
    expect(Object.keys(byCluster.services)).toEqual(['prod/svc-000']);
  });

  it('records a cluster ECS says does not exist, from the reads it makes anyway (no extra call)', async () => {
    account = fakeAccount({ prod: servicesNamed('prod', 1) });
    const notFound = Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' });
    account.ecs.on(DescribeServicesCommand, { cluster: 'ghost' }).rejects(notFound);
    account.ecs.on(ListServicesCommand, { cluster: 'ghost' }).rejects(notFound);
    const byKey = await observeServices(account.context, ['prod/svc-000', 'ghost/web']);
    expect(byKey.missingClusters).toEqual(['ghost']);
    const byCluster = await observeClusters(account.context, ['prod', 'ghost']);
    expect(byCluster.missingClusters).toEqual(['ghost']);
    expect((await observeClusters(account.context, ['prod'])).missingClusters).toEqual([]);
  });

  it('fails on a DescribeServices failure other than MISSING rather than report a partial view', async () => {
    account = fakeAccount({});
    account.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'web', reason: 'INTERNAL_ERROR' }] });
    await expect(observeServices(account.context, ['prod/web'])).rejects.toThrow(/DescribeServices failed in cluster prod: web: INTERNAL_ERROR/);
  });

  it('lists the ACTIVE revisions of the families asked for, oldest first, dropping families that merely share the prefix', async () => {
    account = fakeAccount({});
    account.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [tdArn('web', 1), tdArn('web-worker', 1), tdArn('web', 2)] });
    const state = await observeServices(account.context, [], { taskDefinitionFamilies: ['web'] });
    expect(state.taskDefinitionRevisions).toEqual({ web: [tdArn('web', 1), tdArn('web', 2)] });
    expect(account.ecs.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toMatchObject({ familyPrefix: 'web', status: 'ACTIVE', sort: 'ASC' });
  });

  it('selects the services managed by this instance for prune', async () => {
    account = fakeAccount({ prod: [fakeService('prod', 'mine'), fakeService('prod', 'theirs', { tags: [] })] });
    const state = await observeClusters(account.context, ['prod']);
    expect(managedServices(state, 'ecs-reconciler').map((s) => s.key)).toEqual(['prod/mine']);
  });
});

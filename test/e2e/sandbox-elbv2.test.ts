import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  PriorityInUseException,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  ResourceInUseException,
  RuleNotFoundException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_RULE, createEcsService, LB_ARN, LISTENER_80, startServicesSandbox, type ServicesSandbox } from './sandbox-elbv2-fixture.js';

let env: ServicesSandbox;
let elb: ElasticLoadBalancingV2Client;
const arns = new Map<string, string>();

beforeAll(async () => {
  env = await startServicesSandbox();
  elb = new ElasticLoadBalancingV2Client(env.config);
  const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
  for (const group of TargetGroups ?? []) arns.set(group.TargetGroupName!, group.TargetGroupArn!);
});

afterAll(async () => {
  elb.destroy();
  await env.sandbox.stop();
});

const tg = (name: string): string => arns.get(name)!;
const weighted = (...groups: Array<[string, number]>): Action[] => [
  { Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([name, Weight]) => ({ TargetGroupArn: tg(name), Weight })) } },
];

async function healthOf(groupArn: string): Promise<Array<{ id?: string; state?: string; reason?: string }>> {
  const { TargetHealthDescriptions } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
  return (TargetHealthDescriptions ?? []).map((d) => ({ id: d.Target?.Id, state: d.TargetHealth?.State, reason: d.TargetHealth?.Reason }));
}

describe('ELBv2 over the SDK: the seeded demo ALB', () => {
  it('describes the load balancer, listeners and rules with the explicit ARNs', async () => {
    const { LoadBalancers } = await elb.send(new DescribeLoadBalancersCommand({ Names: ['demo-alb'] }));
    expect(LoadBalancers?.[0]).toMatchObject({ LoadBalancerArn: LB_ARN, Type: 'application', State: { Code: 'active' } });
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: LB_ARN }));
    expect(Listeners?.map((l) => l.Port)).toEqual([80, 8080]);
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: LISTENER_80 }));
    expect(Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['20', false],
      ['default', true],
    ]);
    expect(Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: tg('checkout-blue'), Weight: 100 },
      { TargetGroupArn: tg('checkout-green'), Weight: 0 },
    ]);
  });

  it('describes many rules and target groups in one call', async () => {
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: LISTENER_80 }));
    const byArns = await elb.send(new DescribeRulesCommand({ RuleArns: Rules!.slice(0, 2).map((r) => r.RuleArn!) }));
    expect(byArns.Rules).toHaveLength(2);
    const byNames = await elb.send(new DescribeTargetGroupsCommand({ Names: ['checkout-blue', 'checkout-green'] }));
    expect(byNames.TargetGroups?.map((g) => g.LoadBalancerArns)).toEqual([[LB_ARN], [LB_ARN]]);
    const byArn = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg('web'), tg('payments-green')] }));
    expect(byArn.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['web', 'payments-green']);
    const attributes = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg('web') }));
    expect(attributes.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
  });

  it('surfaces the modeled not-found exceptions with AWS messages', async () => {
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['ghost'] }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
    await expect(elb.send(new DescribeListenersCommand({ ListenerArns: [`${LISTENER_80.slice(0, -1)}0`] }))).rejects.toBeInstanceOf(ListenerNotFoundException);
    await expect(elb.send(new DescribeRulesCommand({ RuleArns: [`${CHECKOUT_RULE.slice(0, -1)}0`] }))).rejects.toBeInstanceOf(RuleNotFoundException);
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['ghost'] }))).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['ghost'] }))).rejects.toThrow('One or more target groups not found');
  });
});

describe('ELBv2 over the SDK: weighted forward actions', () => {
  it('replaces the whole action list of a rule and reads the weights back', async () => {
    const sticky: Action[] = [{ ...weighted(['checkout-blue', 90], ['checkout-green', 10])[0]!, ForwardConfig: { ...weighted(['checkout-blue', 90], ['checkout-green', 10])[0]!.ForwardConfig, TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 } } }];
    const { Rules } = await elb.send(new ModifyRuleCommand({ RuleArn: CHECKOUT_RULE, Actions: sticky }));
    expect(Rules?.[0]?.Actions?.[0]?.ForwardConfig).toEqual({
      TargetGroups: [
        { TargetGroupArn: tg('checkout-blue'), Weight: 90 },
        { TargetGroupArn: tg('checkout-green'), Weight: 10 },
      ],
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
    });
    const readBack = await elb.send(new DescribeRulesCommand({ RuleArns: [CHECKOUT_RULE] }));
    expect(readBack.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups?.map((g) => g.Weight)).toEqual([90, 10]);
    await elb.send(new ModifyRuleCommand({ RuleArn: CHECKOUT_RULE, Actions: weighted(['checkout-blue', 100], ['checkout-green', 0]) }));
  });

  it('rejects invalid weights and too many target groups as ValidationError, leaving the rule unchanged', async () => {
    const error = await elb.send(new ModifyRuleCommand({ RuleArn: CHECKOUT_RULE, Actions: weighted(['checkout-blue', 1000]) })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ValidationError', message: 'The weight for each target group must be between 0 and 999, inclusive', $metadata: { httpStatusCode: 400 } });
    const six = weighted(['web', 1], ['checkout-blue', 1], ['checkout-green', 1], ['payments-blue', 1], ['payments-green', 1]);
    six[0]!.ForwardConfig!.TargetGroups!.push({ TargetGroupArn: tg('web').replace(/[0-9a-f]{16}$/, '0123456789abcdef'), Weight: 1 });
    await expect(elb.send(new ModifyRuleCommand({ RuleArn: CHECKOUT_RULE, Actions: six }))).rejects.toMatchObject({ name: 'ValidationError' });
    const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [CHECKOUT_RULE] }));
    expect(Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups?.map((g) => g.Weight)).toEqual([100, 0]);
  });

  it('modifies a listener default action', async () => {
    const { Listeners } = await elb.send(new ModifyListenerCommand({ ListenerArn: LISTENER_80, DefaultActions: weighted(['web', 1], ['payments-green', 0]) }));
    expect(Listeners?.[0]?.DefaultActions?.[0]?.ForwardConfig?.TargetGroups).toHaveLength(2);
    await elb.send(new ModifyListenerCommand({ ListenerArn: LISTENER_80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg('web') }] }));
  });
});

describe('ELBv2 over the SDK: resource lifecycle', () => {
  it('creates and deletes a load balancer, target group, listener and rule, with AWS errors on conflicts', async () => {
    const { TargetGroups } = await elb.send(new CreateTargetGroupCommand({ Name: 'orders', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip', HealthCheckPath: '/ready' }));
    const orders = TargetGroups![0]!;
    expect(orders).toMatchObject({ HealthCheckPath: '/ready', HealthCheckIntervalSeconds: 30, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, Matcher: { HttpCode: '200' } });
    expect(orders.TargetGroupArn).toMatch(/:targetgroup\/orders\/[0-9a-f]{16}$/);
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'orders-alb', Subnets: ['subnet-a', 'subnet-b'], Tags: [{ Key: 'team', Value: 'orders' }] }));
    const lbArn = LoadBalancers![0]!.LoadBalancerArn!;
    expect(lbArn).toMatch(/:loadbalancer\/app\/orders-alb\/[0-9a-f]{16}$/);
    const { Listeners } = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: orders.TargetGroupArn }] }));
    const listenerArn = Listeners![0]!.ListenerArn!;
    const ruleInput = { ListenerArn: listenerArn, Priority: 5, Conditions: [{ Field: 'host-header', Values: ['orders.example.com'] }], Actions: [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '503' } }] };
    const { Rules } = await elb.send(new CreateRuleCommand(ruleInput));
    await expect(elb.send(new CreateRuleCommand(ruleInput))).rejects.toBeInstanceOf(PriorityInUseException);
    await expect(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 81, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tg('web') }] }))).rejects.toBeInstanceOf(
      TargetGroupAssociationLimitException,
    );
    await expect(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: orders.TargetGroupArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: 'team', Value: 'orders' }]);
    await elb.send(new DeleteRuleCommand({ RuleArn: Rules![0]!.RuleArn }));
    await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: orders.TargetGroupArn }));
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['orders'] }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });

  it('hides a new target group from describes during the eventual-consistency fault window', async () => {
    const faults = (body: unknown) => fetch(`${env.sandbox.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
    await faults({ consistencyWindowMs: 2000 });
    try {
      await elb.send(new CreateTargetGroupCommand({ Name: 'late', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-1', TargetType: 'ip' }));
      await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['late'] }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
      env.advance(2);
      const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ Names: ['late'] }));
      expect(TargetGroups?.[0]?.TargetGroupName).toBe('late');
    } finally {
      await faults({});
    }
  });

  it('adds and removes tags on up to 20 resources', async () => {
    await elb.send(new AddTagsCommand({ ResourceArns: [tg('web'), CHECKOUT_RULE], Tags: [{ Key: 'ecs-reconciler:managed-by', Value: 'ecs-reconciler' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg('web')], TagKeys: ['ecs-reconciler:managed-by'] }));
    const { TagDescriptions } = await elb.send(new DescribeTagsCommand({ ResourceArns: [tg('web'), CHECKOUT_RULE] }));
    expect(TagDescriptions?.map((d) => d.Tags?.length)).toEqual([0, 1]);
    await expect(elb.send(new DescribeTagsCommand({ ResourceArns: Array.from({ length: 21 }, () => tg('web')) }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('ELBv2 over the SDK: target health in simulated time', () => {
  it('takes ECS tasks from initial to healthy after healthy-threshold x interval, and drains them on deregistration', async () => {
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg('checkout-green'), Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }] }));
    await createEcsService(env.config, { cluster: 'prod', name: 'checkout', image: 'checkout:2', count: 2, targetGroupArn: tg('checkout-green') });
    env.advance(10);
    const registered = await healthOf(tg('checkout-green'));
    expect(registered).toHaveLength(2);
    expect(registered.every((t) => t.state === 'initial')).toBe(true);
    env.advance(5 * 30);
    const healthy = await healthOf(tg('checkout-green'));
    expect(healthy.map((t) => t.state)).toEqual(['healthy', 'healthy']);

    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg('checkout-green'), Targets: [{ Id: healthy[0]!.id!, Port: 8080 }] }));
    expect((await healthOf(tg('checkout-green')))[0]).toMatchObject({ state: 'draining', reason: 'Target.DeregistrationInProgress' });
    env.advance(60);
    expect((await healthOf(tg('checkout-green'))).map((t) => t.id)).toEqual([healthy[1]!.id]);
    await expect(elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg('checkout-green'), Targets: [{ Id: healthy[0]!.id!, Port: 8080 }] }))).rejects.toBeInstanceOf(InvalidTargetException);
  });

  it('marks a target with no process unhealthy after the unhealthy threshold, with the reason code', async () => {
    await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tg('payments-blue'), HealthCheckIntervalSeconds: 10 }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg('payments-blue'), Targets: [{ Id: '10.99.0.1', Port: 8080 }] }));
    expect(await healthOf(tg('payments-blue'))).toEqual([{ id: '10.99.0.1', state: 'initial', reason: 'Elb.RegistrationInProgress' }]);
    env.advance(10);
    expect(await healthOf(tg('payments-blue'))).toEqual([{ id: '10.99.0.1', state: 'initial', reason: 'Elb.InitialHealthChecking' }]);
    env.advance(10);
    expect(await healthOf(tg('payments-blue'))).toEqual([{ id: '10.99.0.1', state: 'unhealthy', reason: 'Target.FailedHealthChecks' }]);
  });
});

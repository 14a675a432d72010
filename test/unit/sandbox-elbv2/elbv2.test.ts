import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ManualClock } from '../../../src/sandbox/core/clock.js';
import { AwsError } from '../../../src/sandbox/core/errors.js';
import type { Handlers } from '../../../src/sandbox/core/service.js';
import { elbv2Handlers } from '../../../src/sandbox/elbv2/handlers.js';
import { applyElbv2Seed } from '../../../src/sandbox/elbv2/seed.js';
import { Elbv2State } from '../../../src/sandbox/elbv2/state.js';
import { FakeEcs } from './fake-ecs.js';

const DEMO = parse(readFileSync('test/fixtures/sandbox/demo-elbv2.yaml', 'utf8')) as { elbv2: unknown };
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188';
const LISTENER_80 = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';
const CHECKOUT_RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';

interface Fixture {
  clock: ManualClock;
  ecs: FakeEcs;
  state: Elbv2State;
  api: Handlers;
  call(operation: string, input?: Record<string, unknown>): Record<string, unknown>;
  tg(name: string): string;
  advance(seconds: number): void;
}

function fixture(seed: unknown = DEMO.elbv2): Fixture {
  const clock = new ManualClock();
  const ecs = new FakeEcs();
  const state = new Elbv2State({ region: 'us-east-1', accountId: '123456789012', clock, ecs: () => ecs });
  applyElbv2Seed(state, seed);
  const api = elbv2Handlers(state);
  const ctx = { requestId: 'r', service: 'elbv2', operation: 'x', now: 0, region: 'us-east-1', accountId: '123456789012' };
  return {
    clock,
    ecs,
    state,
    api,
    call: (operation, input = {}) => {
      state.tick(clock.now());
      return api[operation]!(input, { ...ctx, operation, now: clock.now() }) as Record<string, unknown>;
    },
    tg: (name) => state.targetGroupArn(name)!,
    // Step one second at a time so each health check sees the process as it is at that moment.
    advance: (seconds) => {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        state.tick(clock.now());
      }
    },
  };
}

function errorOf(run: () => unknown): AwsError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

const healthOf = (f: Fixture, tgArn: string) =>
  (f.call('DescribeTargetHealth', { TargetGroupArn: tgArn }).TargetHealthDescriptions as Array<{ Target: { Id: string }; TargetHealth: { State: string; Reason?: string } }>).map((d) => ({
    id: d.Target.Id,
    ...d.TargetHealth,
  }));

describe('ELBv2 seed', () => {
  it('creates the demo ALB with the explicit ARNs and AWS-shaped describes', () => {
    const f = fixture();
    const lbs = f.call('DescribeLoadBalancers', { Names: ['demo-alb'] }).LoadBalancers as Array<Record<string, unknown>>;
    expect(lbs[0]).toMatchObject({ LoadBalancerArn: LB_ARN, Type: 'application', Scheme: 'internet-facing', State: { Code: 'active' } });
    const listeners = f.call('DescribeListeners', { LoadBalancerArn: LB_ARN }).Listeners as Array<Record<string, unknown>>;
    expect(listeners.map((l) => [l.Port, l.ListenerArn])).toEqual([
      [80, LISTENER_80],
      [8080, 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/0467ef3c8400ae65'],
    ]);
    const rules = f.call('DescribeRules', { ListenerArn: LISTENER_80 }).Rules as Array<Record<string, unknown>>;
    expect(rules.map((r) => r.Priority)).toEqual(['10', '20', 'default']);
    expect(rules[0]).toMatchObject({
      RuleArn: CHECKOUT_RULE,
      IsDefault: false,
      Conditions: [{ Field: 'path-pattern', Values: ['/checkout*'], PathPatternConfig: { Values: ['/checkout*'] } }],
      Actions: [
        {
          Type: 'forward',
          Order: 1,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: f.tg('checkout-blue'), Weight: 100 },
              { TargetGroupArn: f.tg('checkout-green'), Weight: 0 },
            ],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    });
    expect(rules[2]!.Actions).toEqual([expect.objectContaining({ TargetGroupArn: f.tg('web') })]);
  });

  it('generates AWS-looking ARNs with 16-hex ids when none are given', () => {
    expect(fixture().tg('web')).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web\/[0-9a-f]{16}$/);
  });

  it('names the seed path of a bad reference', () => {
    const seed = { targetGroups: [], loadBalancers: [{ name: 'lb', listeners: [{ port: 80, forward: [{ targetGroup: 'nope' }] }] }] };
    expect(() => fixture(seed)).toThrow(/loadBalancers\[0\] \(lb\)\.listeners\[0\].*'nope' is not defined/);
  });

  it('validates seeded actions like the API does', () => {
    const seed = { targetGroups: [{ name: 'a', port: 80 }], loadBalancers: [{ name: 'lb', listeners: [{ port: 80, forward: [{ targetGroup: 'a', weight: 1000 }] }] }] };
    expect(() => fixture(seed)).toThrow(/listeners\[0\] \(port 80\): ValidationError: The weight for each target group must be between 0 and 999/);
  });
});

describe('ELBv2 target groups', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });

  it('describes AWS defaults for health checks and attributes', () => {
    const [group] = f.call('DescribeTargetGroups', { Names: ['web'] }).TargetGroups as Array<Record<string, unknown>>;
    expect(group).toMatchObject({
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
      LoadBalancerArns: [LB_ARN],
    });
    const attributes = f.call('DescribeTargetGroupAttributes', { TargetGroupArn: f.tg('web') }).Attributes as Array<{ Key: string; Value: string }>;
    expect(attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    expect(attributes).toContainEqual({ Key: 'slow_start.duration_seconds', Value: '0' });
  });

  it('describes many at once, fails all-or-nothing, and filters by load balancer', () => {
    const both = f.call('DescribeTargetGroups', { TargetGroupArns: [f.tg('web'), f.tg('checkout-green')] }).TargetGroups as unknown[];
    expect(both).toHaveLength(2);
    expect(errorOf(() => f.call('DescribeTargetGroups', { Names: ['web', 'missing'] })).code).toBe('TargetGroupNotFound');
    expect((f.call('DescribeTargetGroups', { LoadBalancerArn: LB_ARN }).TargetGroups as unknown[]).length).toBe(5);
  });

  it('validates attribute keys and ranges', () => {
    expect(errorOf(() => f.call('ModifyTargetGroupAttributes', { TargetGroupArn: f.tg('web'), Attributes: [{ Key: 'bogus', Value: '1' }] })).message).toMatch(/not recognized/);
    expect(errorOf(() => f.call('ModifyTargetGroupAttributes', { TargetGroupArn: f.tg('web'), Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '4000' }] })).code).toBe('ValidationError');
    const out = f.call('ModifyTargetGroupAttributes', { TargetGroupArn: f.tg('web'), Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
    expect(out.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
  });

  it('modifies health checks and rejects a timeout not below the interval', () => {
    const out = f.call('ModifyTargetGroup', { TargetGroupArn: f.tg('web'), HealthCheckIntervalSeconds: '10', HealthyThresholdCount: '2' });
    expect(out.TargetGroups).toEqual([expect.objectContaining({ HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 })]);
    expect(errorOf(() => f.call('ModifyTargetGroup', { TargetGroupArn: f.tg('web'), HealthCheckTimeoutSeconds: '10' })).message).toMatch(/smaller than the interval/);
  });

  it('refuses to delete a group a rule forwards to', () => {
    const error = errorOf(() => f.call('DeleteTargetGroup', { TargetGroupArn: f.tg('checkout-green') }));
    expect(error.code).toBe('ResourceInUse');
  });
});

describe('ELBv2 target health', () => {
  it('moves a registered target from initial to healthy after the healthy threshold of checks', () => {
    const f = fixture();
    f.ecs.addProcess('10.0.0.1', 8080);
    f.call('RegisterTargets', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1' }] });
    expect(healthOf(f, f.tg('web'))).toEqual([{ id: '10.0.0.1', State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' }]);
    f.advance(30);
    expect(healthOf(f, f.tg('web'))[0]).toMatchObject({ State: 'initial', Reason: 'Elb.InitialHealthChecking' });
    f.advance(4 * 30 - 1);
    expect(healthOf(f, f.tg('web'))[0]!.State).toBe('initial');
    f.advance(1);
    expect(healthOf(f, f.tg('web'))[0]).toEqual({ id: '10.0.0.1', State: 'healthy' });
  });

  it('turns unhealthy after the unhealthy threshold when the process stops passing, with the reason code', () => {
    const f = fixture();
    const process = f.ecs.addProcess('10.0.0.1', 8080);
    f.call('RegisterTargets', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1', Port: '8080' }] });
    f.advance(150);
    process.passesHealthCheck = false;
    f.advance(30);
    expect(healthOf(f, f.tg('web'))[0]!.State).toBe('healthy');
    f.advance(30);
    expect(healthOf(f, f.tg('web'))[0]).toMatchObject({ State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' });
    f.ecs.processes.clear();
    f.advance(60);
    expect(healthOf(f, f.tg('web'))[0]).toMatchObject({ State: 'unhealthy', Reason: 'Target.FailedHealthChecks' });
  });

  it('drains a deregistered target for the deregistration delay, then forgets it', () => {
    const f = fixture();
    f.ecs.addProcess('10.0.0.1', 8080);
    f.call('ModifyTargetGroupAttributes', { TargetGroupArn: f.tg('web'), Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
    f.call('RegisterTargets', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1' }] });
    f.advance(150);
    f.call('DeregisterTargets', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1' }] });
    expect(healthOf(f, f.tg('web'))[0]).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    expect(f.state.targetHealth(f.tg('web'), '10.0.0.1', 8080)).toBe('draining');
    f.advance(29);
    expect(healthOf(f, f.tg('web'))[0]!.State).toBe('draining');
    f.advance(1);
    expect(healthOf(f, f.tg('web'))).toEqual([]);
    const asked = f.call('DescribeTargetHealth', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1', Port: '8080' }] });
    expect(asked.TargetHealthDescriptions).toEqual([
      { Target: { Id: '10.0.0.1', Port: 8080 }, HealthCheckPort: '8080', TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } },
    ]);
    expect(errorOf(() => f.call('DeregisterTargets', { TargetGroupArn: f.tg('web'), Targets: [{ Id: '10.0.0.1' }] })).code).toBe('InvalidTarget');
  });

  it('reports targets of a group no listener uses as unused, and starts checking once a rule forwards to it', () => {
    const f = fixture();
    const lonely = f.call('CreateTargetGroup', { Name: 'lonely', Protocol: 'HTTP', Port: '8080', TargetType: 'ip', VpcId: 'vpc-1' }).TargetGroups as Array<{ TargetGroupArn: string }>;
    const arn = lonely[0]!.TargetGroupArn;
    f.ecs.addProcess('10.0.0.9', 8080);
    f.state.registerTarget(arn, '10.0.0.9', 8080);
    expect(healthOf(f, arn)[0]).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });
    f.call('ModifyListener', { ListenerArn: LISTENER_80, DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: f.tg('web'), Weight: '1' }, { TargetGroupArn: arn, Weight: '1' }] } }] });
    expect(healthOf(f, arn)[0]).toMatchObject({ State: 'initial', Reason: 'Elb.RegistrationInProgress' });
  });
});

describe('ELBv2 weighted forward actions', () => {
  const forward = (...groups: Array<[string, string | number]>) => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight: String(Weight) })) } }];

  it('replaces the whole action list and reads the new weights back', () => {
    const f = fixture();
    f.call('ModifyRule', { RuleArn: CHECKOUT_RULE, Actions: forward([f.tg('checkout-blue'), 90], [f.tg('checkout-green'), 10]) });
    const [rule] = f.call('DescribeRules', { RuleArns: [CHECKOUT_RULE] }).Rules as Array<{ Actions: Array<{ ForwardConfig: { TargetGroups: unknown[] } }> }>;
    expect(rule!.Actions[0]!.ForwardConfig.TargetGroups).toEqual([
      { TargetGroupArn: f.tg('checkout-blue'), Weight: 90 },
      { TargetGroupArn: f.tg('checkout-green'), Weight: 10 },
    ]);
  });

  it.each([
    ['a weight above 999', (f: Fixture) => forward([f.tg('checkout-blue'), 1000]), 'ValidationError', /between 0 and 999/],
    ['a negative weight', (f: Fixture) => forward([f.tg('checkout-blue'), -1]), 'ValidationError', /between 0 and 999/],
    [
      'six target groups',
      (f: Fixture) => forward(...['web', 'checkout-blue', 'checkout-green', 'payments-blue', 'payments-green'].map((n): [string, number] => [f.tg(n), 1]), [f.tg('web').replace(/[0-9a-f]{16}$/, '0000000000000000'), 1]),
      'ValidationError',
      /at most 5/,
    ],
    ['an unknown target group', () => forward(['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ghost/0000000000000000', 1]), 'TargetGroupNotFound', /not found/],
    ['a duplicated target group', (f: Fixture) => forward([f.tg('checkout-blue'), 1], [f.tg('checkout-blue'), 2]), 'ValidationError', /only once/],
  ])('rejects %s', (_label, actions, code, message) => {
    const f = fixture();
    const error = errorOf(() => f.call('ModifyRule', { RuleArn: CHECKOUT_RULE, Actions: actions(f) }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.httpStatus).toBe(400);
  });

  it('rejects a target group of an incompatible protocol and one used by another load balancer', () => {
    const f = fixture();
    const tcp = (f.call('CreateTargetGroup', { Name: 'tcp', Protocol: 'TCP', Port: '80', TargetType: 'ip', VpcId: 'v' }).TargetGroups as Array<{ TargetGroupArn: string }>)[0]!.TargetGroupArn;
    expect(errorOf(() => f.call('ModifyRule', { RuleArn: CHECKOUT_RULE, Actions: forward([tcp, 1]) })).code).toBe('InvalidConfigurationRequest');
    const other = (f.call('CreateLoadBalancer', { Name: 'other', Subnets: ['s1'] }).LoadBalancers as Array<{ LoadBalancerArn: string }>)[0]!.LoadBalancerArn;
    const error = errorOf(() => f.call('CreateListener', { LoadBalancerArn: other, Port: '80', Protocol: 'HTTP', DefaultActions: forward([f.tg('web'), 1]) }));
    expect(error.code).toBe('TargetGroupAssociationLimit');
  });

  it('splits each listener and rule stream by weight in trafficShares', () => {
    const f = fixture();
    f.call('ModifyRule', { RuleArn: CHECKOUT_RULE, Actions: forward([f.tg('checkout-blue'), 3], [f.tg('checkout-green'), 1]) });
    const shares = f.state.trafficShares();
    expect(shares.get(f.tg('checkout-blue'))).toBeCloseTo(0.75);
    expect(shares.get(f.tg('checkout-green'))).toBeCloseTo(0.25);
    expect(shares.get(f.tg('web'))).toBe(1);
    expect(shares.has(f.tg('payments-green'))).toBe(true);
  });
});

describe('ELBv2 listeners, rules and tags', () => {
  it('creates and deletes rules, enforcing unique priorities', () => {
    const f = fixture();
    const input = { ListenerArn: LISTENER_80, Priority: '30', Conditions: [{ Field: 'path-pattern', Values: ['/x*'] }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }] };
    const rule = (f.call('CreateRule', input).Rules as Array<{ RuleArn: string }>)[0]!;
    expect(rule.RuleArn).toMatch(/listener-rule\/app\/demo-alb\/50dc6c495c0c9188\/f2f7dc8efc522ab2\/[0-9a-f]{16}$/);
    expect(errorOf(() => f.call('CreateRule', input)).code).toBe('PriorityInUse');
    f.call('DeleteRule', { RuleArn: rule.RuleArn });
    expect(errorOf(() => f.call('DescribeRules', { RuleArns: [rule.RuleArn] })).code).toBe('RuleNotFound');
    expect(errorOf(() => f.call('DescribeListeners', { ListenerArns: [LISTENER_80 + '0'] })).code).toBe('ListenerNotFound');
    expect(errorOf(() => f.call('DescribeLoadBalancers', { Names: ['ghost'] })).code).toBe('LoadBalancerNotFound');
  });

  it('tags any resource and describes up to 20 ARNs at once', () => {
    const f = fixture();
    f.call('AddTags', { ResourceArns: [LB_ARN, CHECKOUT_RULE], Tags: [{ Key: 'team', Value: 'payments' }] });
    f.call('RemoveTags', { ResourceArns: [LB_ARN], TagKeys: ['team'] });
    const out = f.call('DescribeTags', { ResourceArns: [LB_ARN, CHECKOUT_RULE] });
    expect(out.TagDescriptions).toEqual([
      { ResourceArn: LB_ARN, Tags: [] },
      { ResourceArn: CHECKOUT_RULE, Tags: [{ Key: 'team', Value: 'payments' }] },
    ]);
    expect(errorOf(() => f.call('DescribeTags', { ResourceArns: Array.from({ length: 21 }, () => LB_ARN) })).code).toBe('ValidationError');
  });

  it('pages describes with markers', () => {
    const f = fixture();
    const first = f.call('DescribeTargetGroups', { PageSize: '2' });
    expect((first.TargetGroups as unknown[]).length).toBe(2);
    const second = f.call('DescribeTargetGroups', { PageSize: '4', Marker: first.NextMarker });
    expect((second.TargetGroups as unknown[]).length).toBe(3);
    expect(second.NextMarker).toBeUndefined();
  });
});

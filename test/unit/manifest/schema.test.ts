import { describe, expect, it } from 'vitest';
import { analysisTemplateManifestSchema, serviceManifestSchema } from '../../../src/manifest/index.js';
import type { ServiceManifestInput } from '../../../src/manifest/index.js';
import { RULE_A, analysisTemplate, baseService, blueGreenRollout, canaryRollout } from './helpers.js';

/** Schema issues for the base service after `mutate`, as "path: message". */
function issues(mutate: (m: ServiceManifestInput) => void): string[] {
  const raw = baseService();
  mutate(raw);
  const result = serviceManifestSchema.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const td = (m: ServiceManifestInput) => m.spec.taskDefinition;
const app = (m: ServiceManifestInput) => m.spec.taskDefinition.containerDefinitions[0]!;

describe('service schema', () => {
  it('accepts the base service', () => {
    expect(issues(() => {})).toEqual([]);
  });

  it('rejects unknown fields', () => {
    expect(issues((m) => Object.assign(m.spec, { desiredcount: 2 }))).toEqual(['spec: Unrecognized key: "desiredcount"']);
  });

  it('keeps task-level cpu/memory as strings whatever the YAML type', () => {
    const raw = baseService();
    Object.assign(td(raw), { cpu: 256, memory: '0.5 GB' });
    const parsed = serviceManifestSchema.parse(raw);
    expect([parsed.spec.taskDefinition.cpu, parsed.spec.taskDefinition.memory]).toEqual(['256', '0.5 GB']);
  });

  it('accepts describe-task-definition output and drops its read-only fields', () => {
    const raw = baseService();
    Object.assign(td(raw), {
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
      revision: 7,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      compatibilities: ['EC2', 'FARGATE'],
      registeredAt: '2026-01-01T10:00:00.000000+00:00',
      registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/ci',
      deregisteredAt: 1767261600,
    });
    Object.assign(app(raw), { cpu: 0, environment: [], mountPoints: [], volumesFrom: [], systemControls: [] });
    const parsed = serviceManifestSchema.parse(raw);
    expect(Object.keys(parsed.spec.taskDefinition).sort()).toEqual(
      ['family', 'cpu', 'memory', 'networkMode', 'requiresCompatibilities', 'executionRoleArn', 'containerDefinitions'].sort(),
    );
  });

  it('covers the container fields users paste from AWS', () => {
    const full = (m: ServiceManifestInput) =>
      Object.assign(app(m), {
        cpu: 128,
        memory: 512,
        memoryReservation: 256,
        command: ['serve'],
        entryPoint: ['/entry'],
        workingDirectory: '/srv',
        user: '1000',
        essential: true,
        environment: [{ name: 'A', value: 'b' }],
        environmentFiles: [{ value: 'arn:aws:s3:::bucket/web.env', type: 's3' }],
        secrets: [{ name: 'DB', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/web/db' }],
        healthCheck: { command: ['CMD', '/bin/true'], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
        dependsOn: [{ containerName: 'app', condition: 'START' }],
        ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
        readonlyRootFilesystem: true,
        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
        firelensConfiguration: { type: 'fluentbit' },
        startTimeout: 30,
        stopTimeout: 30,
        dockerLabels: { team: 'web' },
      });
    expect(issues(full)).toEqual([]);
  });

  it('validates ARN formats for roles, target groups, listener rules and secrets', () => {
    expect(issues((m) => (td(m).executionRoleArn = 'ecsTaskExecutionRole'))).toEqual([
      'spec.taskDefinition.executionRoleArn: expected an IAM role ARN like arn:aws:iam::123456789012:role/name',
    ]);
    expect(issues((m) => (m.spec.loadBalancer!.targetGroup = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web'))).toHaveLength(1);
    expect(issues((m) => (m.spec.loadBalancer!.targetGroup = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09'))).toEqual([]);
    expect(issues((m) => (m.spec.loadBalancer!.targetGroup = '-web'))).toHaveLength(1);
    const badRule = canaryRollout();
    badRule.canary.listenerRule = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';
    expect(issues((m) => (m.spec.rollout = badRule))).toEqual([expect.stringMatching(/^spec\.rollout\.canary\.listenerRule: expected a listener rule ARN/)]);
    expect(issues((m) => (app(m).secrets = [{ name: 'DB', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret' }]))).toEqual([
      'spec.taskDefinition.containerDefinitions.0.secrets.0.valueFrom: expected a Secrets Manager secret ARN, an SSM parameter ARN, or an SSM parameter name',
    ]);
    const goodSecrets = [
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:web/db-AbCdEf',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:web/db-AbCdEf:password::',
      '/web/db/password',
    ];
    expect(issues((m) => (app(m).secrets = goodSecrets.map((valueFrom, i) => ({ name: `S${i}`, valueFrom }))))).toEqual([]);
  });

  it('accepts only slow start durations AWS accepts', () => {
    const slowStart = (seconds: number) => (m: ServiceManifestInput) =>
      (m.spec.loadBalancer!.targetGroupSettings = { attributes: { 'slow_start.duration_seconds': seconds } });
    expect(issues(slowStart(0))).toEqual([]);
    expect(issues(slowStart(30))).toEqual([]);
    expect(issues(slowStart(10))).toEqual(['spec.loadBalancer.targetGroupSettings.attributes.slow_start.duration_seconds: slow start is 0 (off) or 30-900 seconds']);
  });

  it('keeps canary weights whole percentages within 0-100', () => {
    const rollout = canaryRollout();
    rollout.canary.steps = [{ setWeight: 101 }, { setWeight: -1 }, { setCanaryScale: { weight: 150 } }, { setWeight: 12.5 }, { setWeight: 100 }];
    expect(issues((m) => (m.spec.rollout = rollout))).toEqual([
      'spec.rollout.canary.steps.0.setWeight: weights are whole percentages from 0 to 100',
      'spec.rollout.canary.steps.1.setWeight: weights are whole percentages from 0 to 100',
      'spec.rollout.canary.steps.2.setCanaryScale.weight: weights are whole percentages from 0 to 100',
      'spec.rollout.canary.steps.3.setWeight: weights are whole percentages from 0 to 100',
    ]);
  });

  it('requires exactly one action per canary step', () => {
    const rollout = canaryRollout();
    rollout.canary.steps = [{}, { setWeight: 10, pause: {} }];
    expect(issues((m) => (m.spec.rollout = rollout))).toEqual([
      'spec.rollout.canary.steps.0: expected exactly one of: setWeight, pause, analysis, setCanaryScale',
      'spec.rollout.canary.steps.1: expected exactly one of: setWeight, pause, analysis, setCanaryScale; found setWeight and pause',
    ]);
  });

  it('validates pause durations', () => {
    const rollout = canaryRollout();
    rollout.canary.steps = [{ pause: { duration: '5m' } }, { pause: { duration: 30 } }, { pause: { duration: 'five minutes' } }];
    expect(issues((m) => (m.spec.rollout = rollout))).toEqual([
      'spec.rollout.canary.steps.2.pause.duration: expected a duration: whole seconds, or a string like "30s", "5m", "1h", "1h30m"',
    ]);
  });

  it('requires listener rules for canary and blue-green', () => {
    const { listenerRule: _rule, ...canaryWithoutRule } = canaryRollout().canary;
    expect(issues((m) => (m.spec.rollout = { strategy: 'Canary', canary: canaryWithoutRule } as never))).toEqual([
      'spec.rollout.canary.listenerRule: Invalid input: expected string, received undefined',
    ]);
    const { productionListenerRule: _production, ...blueGreenWithoutRule } = blueGreenRollout().blueGreen;
    expect(issues((m) => (m.spec.rollout = { strategy: 'BlueGreen', blueGreen: blueGreenWithoutRule } as never))).toEqual([
      'spec.rollout.blueGreen.productionListenerRule: Invalid input: expected string, received undefined',
    ]);
  });

  it('rejects an unknown rollout strategy', () => {
    expect(issues((m) => (m.spec.rollout = { strategy: 'Canry' } as never))).toEqual(['spec.rollout.strategy: expected strategy: Rolling, Canary, BlueGreen or Native']);
  });

  it('accepts a Native rollout and operator tokens', () => {
    const native = {
      strategy: 'Native' as const,
      native: {
        strategy: 'CANARY' as const,
        bakeTimeInMinutes: 5,
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 },
        lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:check', roleArn: 'arn:aws:iam::123456789012:role/hooks', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const] }],
        advancedConfiguration: { alternateTargetGroup: 'web-green', productionListenerRule: RULE_A, roleArn: 'arn:aws:iam::123456789012:role/ecsInfra' },
      },
      operator: { promote: 'ticket-123', promoteFull: true },
    };
    expect(issues((m) => (m.spec.rollout = native))).toEqual([]);
  });

  it('requires exactly one metric source per target tracking policy', () => {
    const policy = (m: ServiceManifestInput) =>
      (m.spec.autoscaling = { minCapacity: 1, maxCapacity: 3, policies: [{ name: 'p', targetTracking: { targetValue: 50 } }] });
    expect(issues(policy)).toEqual(['spec.autoscaling.policies.0.targetTracking: expected exactly one of: predefinedMetric, customizedMetric']);
  });

  it('checks schedule expressions', () => {
    const schedule = (expression: string) => (m: ServiceManifestInput) =>
      (m.spec.autoscaling = { minCapacity: 1, maxCapacity: 3, scheduledActions: [{ name: 's', schedule: expression, minCapacity: 2 }] });
    expect(issues(schedule('cron(0 8 ? * MON-FRI *)'))).toEqual([]);
    expect(issues(schedule('rate(5 minutes)'))).toEqual([]);
    expect(issues(schedule('at(2026-12-24T18:00:00)'))).toEqual([]);
    expect(issues(schedule('0 8 * * *'))).toHaveLength(1);
  });
});

describe('analysis template schema', () => {
  it('accepts the base template', () => {
    expect(analysisTemplateManifestSchema.safeParse(analysisTemplate()).success).toBe(true);
  });

  it('requires exactly one provider', () => {
    const template = analysisTemplate();
    template.spec.metrics[0]!.provider = {
      cloudwatchAlarm: { alarmName: 'a' },
      prometheus: { address: 'http://127.0.0.1:9090', query: 'up' },
    };
    const result = analysisTemplateManifestSchema.safeParse(template);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['expected exactly one of: cloudwatch, cloudwatchAlarm, prometheus, web; found cloudwatchAlarm and prometheus']);
  });

  it('requires each metric data query to be an expression or a metric stat', () => {
    const template = analysisTemplate();
    template.spec.metrics[0]!.provider = { cloudwatch: { metricDataQueries: [{ id: 'q' }] } };
    const result = analysisTemplateManifestSchema.safeParse(template);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'spec.metrics.0.provider.cloudwatch.metricDataQueries.0: expected exactly one of: expression, metricStat',
    ]);
  });
});

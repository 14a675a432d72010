/**
 * The cloudwatch and cloudwatchAlarm providers against the sandbox over HTTP, through the real SDK client: a stable
 * and a canary service behind one listener rule at 50/50, an analysis comparing them on the simulated ALB metrics,
 * then a staged bad canary release.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisMetric, AnalysisTemplateManifest } from '../../src/manifest/index.js';
import {
  createProviders,
  createRunSpec,
  encodeRunTag,
  nextMeasurementAt,
  restoreRun,
  rolloutArgs,
  runPhase,
  startRun,
  summarizeRun,
  takeMeasurements,
  type AnalysisRun,
  type AnalysisRunSpec,
  type MetricProviders,
} from '../../src/rollout/analysis/index.js';
import { CHECKOUT_RULE, createEcsService, LB_ARN, startServicesSandbox, type ServicesSandbox } from './sandbox-elbv2-fixture.js';

let env: ServicesSandbox;
let cloudwatch: CloudWatchClient;
let providers: MetricProviders;
let spec: AnalysisRunSpec;

const elbSum = (id: string, metricName: string, targetGroupArg: string) => ({
  id,
  metricStat: {
    metric: {
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensions: [
        { name: 'TargetGroup', value: `{{args.${targetGroupArg}}}` },
        { name: 'LoadBalancer', value: '{{args.loadBalancer}}' },
      ],
    },
    period: 60,
    stat: 'Sum',
  },
  returnData: false,
});

const metrics: AnalysisMetric[] = [
  {
    name: 'canary-5xx-ratio',
    interval: '1m',
    count: 3,
    successCondition: 'len(result) > 0 && all(result, {# < 0.05})',
    failureCondition: 'any(result, {# >= 0.05})',
    provider: {
      cloudwatch: {
        period: '2m',
        metricDataQueries: [elbSum('errors', 'HTTPCode_Target_5XX_Count', 'canaryTargetGroup'), elbSum('requests', 'RequestCount', 'canaryTargetGroup'), { id: 'ratio', expression: 'FILL(errors, 0) / requests' }],
      },
    },
  },
  {
    name: 'canary-vs-stable',
    interval: '1m',
    count: 3,
    successCondition: 'result.canary[0] <= result.stable[0] + 0.01',
    provider: {
      cloudwatch: {
        period: '1m',
        metricDataQueries: [
          elbSum('ce', 'HTTPCode_Target_5XX_Count', 'canaryTargetGroup'),
          elbSum('cr', 'RequestCount', 'canaryTargetGroup'),
          elbSum('se', 'HTTPCode_Target_5XX_Count', 'stableTargetGroup'),
          elbSum('sr', 'RequestCount', 'stableTargetGroup'),
          { id: 'canary', expression: 'FILL(ce, 0) / cr' },
          { id: 'stable', expression: 'FILL(se, 0) / sr' },
        ],
      },
    },
  },
  { name: 'canary-alarm', provider: { cloudwatchAlarm: { alarmName: '{{args.service}}-canary-5xx' } } },
];

const template: AnalysisTemplateManifest = {
  apiVersion: 'ecs-reconciler/v1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'canary-health' },
  spec: { args: [{ name: 'service' }, { name: 'stableTargetGroup' }, { name: 'canaryTargetGroup' }, { name: 'loadBalancer' }], metrics },
};

/** Runs the analysis as the rollout state machine would: measure, then come back at nextMeasurementAt. */
async function driveToVerdict(run: AnalysisRun): Promise<{ run: AnalysisRun; measuredAt: number[] }> {
  const measuredAt: number[] = [];
  const startedAt = run.startedAt;
  for (let guard = 0; guard < 10 && runPhase(run) === 'Running'; guard += 1) {
    const next = nextMeasurementAt(run, env.clock.now())!;
    env.advance((next - env.clock.now()) / 1000, 5);
    measuredAt.push((env.clock.now() - startedAt) / 1000);
    run = await takeMeasurements(spec, run, providers, env.clock);
  }
  return { run, measuredAt };
}

beforeAll(async () => {
  env = await startServicesSandbox();
  cloudwatch = new CloudWatchClient(env.config);
  providers = createProviders({ cloudwatch });
  const elb = new ElasticLoadBalancingV2Client(env.config);
  const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ Names: ['checkout-blue', 'checkout-green'] }));
  const [blue, green] = TargetGroups!.map((tg) => tg.TargetGroupArn!);
  await createEcsService(env.config, { cluster: 'prod', name: 'checkout', image: 'checkout:1', count: 2, targetGroupArn: blue });
  await createEcsService(env.config, { cluster: 'prod', name: 'checkout-canary', image: 'checkout:2', count: 2, targetGroupArn: green });
  await elb.send(
    new ModifyRuleCommand({
      RuleArn: CHECKOUT_RULE,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 50 }, { TargetGroupArn: green, Weight: 50 }] } }],
    }),
  );
  elb.destroy();
  const contextArgs = rolloutArgs({ cluster: 'prod', service: 'checkout', stableTargetGroupArn: blue, canaryTargetGroupArn: green, loadBalancerArn: LB_ARN });
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'checkout-canary-5xx',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions: [
        { Name: 'TargetGroup', Value: contextArgs.canaryTargetGroup },
        { Name: 'LoadBalancer', Value: contextArgs.loadBalancer },
      ],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  spec = createRunSpec({ ref: { templates: ['canary-health'] }, templates: new Map([['canary-health', template]]), contextArgs });
  // Tasks start, register and turn healthy; then two whole minutes of traffic.
  env.advance(170, 5);
  env.advance(120, 5);
});

afterAll(async () => {
  cloudwatch.destroy();
  await env.sandbox.stop();
});

describe('analysis over the sandbox CloudWatch', () => {
  it('passes a healthy canary, resuming from its tag after a simulated restart', async () => {
    let run = await takeMeasurements(spec, startRun(spec, env.clock.now()), providers, env.clock);
    const first = summarizeRun(run, env.clock.now());
    expect(first.metrics.map((m) => [m.name, m.phase])).toEqual([
      ['canary-5xx-ratio', 'Running'],
      ['canary-vs-stable', 'Running'],
      ['canary-alarm', 'Successful'],
    ]);
    expect(JSON.parse(first.metrics[0]!.lastMeasurement!.value!)).toEqual([0, 0]);
    expect(JSON.parse(first.metrics[1]!.lastMeasurement!.value!)).toEqual({ canary: [0], stable: [0] });
    expect(first.metrics[2]!.lastMeasurement!.value).toBe('"OK"');

    run = restoreRun(spec, encodeRunTag(run));
    const { run: finished, measuredAt } = await driveToVerdict(run);
    expect(runPhase(finished)).toBe('Successful');
    expect(measuredAt).toEqual([60, 120]);
    expect(finished.metrics.map((m) => m.successful)).toEqual([3, 3, 1]);
  });

  it('fails a canary whose 5xx ratio rises, on the first measurement', async () => {
    const staged = await fetch(`${env.sandbox.endpoint}/_sandbox/behaviours`, { method: 'POST', body: JSON.stringify({ image: 'checkout:2', errorRate: 0.2 }) });
    expect(staged.status).toBe(200);
    // Two whole minutes of the bad release, so both datapoints of the 2m window see it.
    env.advance((Math.ceil(env.clock.now() / 60_000) * 60_000 - env.clock.now()) / 1000 + 120, 5);
    const { run, measuredAt } = await driveToVerdict(startRun(spec, env.clock.now()));
    const summary = summarizeRun(run, env.clock.now());
    expect(measuredAt).toEqual([0]);
    expect(summary).toMatchObject({ phase: 'Failed', decision: 'abort' });
    expect(summary.metrics.map((m) => [m.name, m.phase])).toEqual([
      ['canary-5xx-ratio', 'Failed'],
      ['canary-vs-stable', 'Failed'],
      ['canary-alarm', 'Failed'],
    ]);
    const ratios = JSON.parse(summary.metrics[0]!.lastMeasurement!.value!) as number[];
    expect(ratios).toHaveLength(2);
    for (const ratio of ratios) expect(ratio).toBeCloseTo(0.2, 1);
    expect(summary.metrics[2]!.lastMeasurement!.value).toBe('"ALARM"');
  });
});

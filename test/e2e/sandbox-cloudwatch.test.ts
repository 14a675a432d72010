import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_RULE, createEcsService, startServicesSandbox, type ServicesSandbox } from './sandbox-elbv2-fixture.js';

/** The Debian AWS CLI v2.9, an independent client that speaks awsQuery to CloudWatch and ELBv2. */
const AWS_CLI = '/usr/bin/aws';

const LB = 'app/demo-alb/50dc6c495c0c9188';
let env: ServicesSandbox;
let cw: CloudWatchClient;
let tgDimension: string;

const tgDims = () => [
  { Name: 'TargetGroup', Value: tgDimension },
  { Name: 'LoadBalancer', Value: LB },
];
const elbStat = (id: string, metricName: string, stat = 'Sum'): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: tgDims() }, Period: 60, Stat: stat },
  ReturnData: false,
});
/** The last `minutes` whole minutes before now. */
const lastMinutes = (minutes: number) => {
  const end = Math.floor(env.clock.now() / 60_000) * 60_000;
  return { StartTime: new Date(end - minutes * 60_000), EndTime: new Date(end) };
};

async function stageBehaviour(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${env.sandbox.endpoint}/_sandbox/behaviours`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

/** Runs simulated time to the next minute boundary, so staged changes cover whole minutes. */
function advanceToMinute(): void {
  const next = Math.ceil(env.clock.now() / 60_000) * 60_000;
  env.advance((next - env.clock.now()) / 1000, 1);
}

beforeAll(async () => {
  env = await startServicesSandbox();
  cw = new CloudWatchClient(env.config);
  const elb = new ElasticLoadBalancingV2Client(env.config);
  const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ Names: ['checkout-blue'] }));
  elb.destroy();
  tgDimension = TargetGroups![0]!.TargetGroupArn!.split(':').at(-1)!;
  await createEcsService(env.config, { cluster: 'prod', name: 'checkout', image: 'checkout:1', count: 2, targetGroupArn: TargetGroups![0]!.TargetGroupArn });
  env.advance(170, 5);
  advanceToMinute();
  env.advance(180, 5);
});

afterAll(async () => {
  cw.destroy();
  await env.sandbox.stop();
});

describe('CloudWatch over the SDK: AWS/ApplicationELB metrics from the simulated traffic', () => {
  it('counts the rule stream (50 req/s at weight 100) per minute, with no 5xx datapoints while healthy', async () => {
    const { MetricDataResults } = await cw.send(
      new GetMetricDataCommand({
        ...lastMinutes(3),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { ...elbStat('requests', 'RequestCount'), ReturnData: true },
          { ...elbStat('errors', 'HTTPCode_Target_5XX_Count'), ReturnData: true },
          { Id: 'healthy', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HealthyHostCount', Dimensions: tgDims() }, Period: 60, Stat: 'Average' } },
        ],
      }),
    );
    const [requests, errors, healthy] = MetricDataResults!;
    expect(requests).toMatchObject({ Id: 'requests', Label: 'RequestCount', StatusCode: 'Complete' });
    expect(requests!.Values!.map((v) => Math.round(v))).toEqual([3000, 3000, 3000]);
    expect(requests!.Timestamps!.map((t) => t.getTime() % 60_000)).toEqual([0, 0, 0]);
    expect(errors!.Values).toEqual([]);
    expect(healthy!.Values).toEqual([2, 2, 2]);
  });

  it('reports a staged error rate, and metric math turns it into a percentage', async () => {
    await stageBehaviour({ image: 'checkout:1', errorRate: 0.1, latencyMs: 250 });
    env.advance(120, 5);
    const { MetricDataResults } = await cw.send(
      new GetMetricDataCommand({
        ...lastMinutes(2),
        MetricDataQueries: [
          elbStat('requests', 'RequestCount'),
          elbStat('errors', 'HTTPCode_Target_5XX_Count'),
          { Id: 'errorRate', Expression: '100 * FILL(errors, 0) / requests', Label: '5xx %' },
          { Id: 'worst', Expression: 'MAX([errors, requests / 20])' },
        ],
      }),
    );
    const [errorRate, worst] = MetricDataResults!;
    expect(errorRate!.Label).toBe('5xx %');
    expect(errorRate!.Values!.map((v) => Number(v.toFixed(6)))).toEqual([10, 10]);
    expect(worst!.Values!.map(Math.round)).toEqual([300, 300]);
    const latency = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', Dimensions: tgDims(), Period: 60, Statistics: ['Average', 'Maximum'], ...lastMinutes(1) }),
    );
    expect(latency.Datapoints).toEqual([expect.objectContaining({ Average: 0.25, Maximum: 0.25, Unit: 'Seconds' })]);
    await fetch(`${env.sandbox.endpoint}/_sandbox/behaviours`, { method: 'DELETE' });
  });

  it('records AWS/ECS metrics for a service from the first query on', async () => {
    const cpu = { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: 'prod' }, { Name: 'ServiceName', Value: 'checkout' }] };
    const before = await cw.send(new GetMetricStatisticsCommand({ ...cpu, Period: 60, Statistics: ['Average'], ...lastMinutes(2) }));
    expect(before.Datapoints).toEqual([]);
    advanceToMinute();
    env.advance(120, 5);
    const after = await cw.send(new GetMetricStatisticsCommand({ ...cpu, Period: 60, Statistics: ['Average'], ...lastMinutes(2) }));
    expect(after.Datapoints?.map((d) => Number(d.Average?.toFixed(9)))).toEqual([25, 25]);
    const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ECS' }));
    expect(Metrics?.map((m) => m.MetricName).sort()).toEqual(['CPUUtilization', 'MemoryUtilization', 'RunningTaskCount']);
  });

  it('rejects bad requests with CloudWatch error codes', async () => {
    await expect(
      cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Period: 45, Statistics: ['Sum'], ...lastMinutes(1) })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    const bad = await cw.send(new GetMetricDataCommand({ ...lastMinutes(1), MetricDataQueries: [elbStat('r', 'RequestCount'), { Id: 'e', Expression: 'r +* 2' }] })).catch((e: Error) => e);
    // AWS's ValidationError code, which the SDK models as ValidationException.
    expect(bad).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("Error in expression 'e'") });
  });
});

describe('CloudWatch over the SDK: alarms', () => {
  it('evaluates an alarm on the 5xx count in simulated time and follows SetAlarmState', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'checkout-5xx',
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: tgDims(),
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const describe = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx'] }))).MetricAlarms![0]!;
    expect(await describe()).toMatchObject({ StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx' });
    advanceToMinute();
    env.advance(60, 5);
    expect((await describe()).StateValue).toBe('OK');
    await stageBehaviour({ image: 'checkout:1', errorRate: 0.5 });
    env.advance(60, 5);
    const alarm = await describe();
    expect(alarm.StateValue).toBe('ALARM');
    expect(alarm.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 2 datapoints \[1500/);
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'checkout-5xx', StateValue: 'OK', StateReason: 'manual reset' }));
    expect(await describe()).toMatchObject({ StateValue: 'OK', StateReason: 'manual reset' });
    await fetch(`${env.sandbox.endpoint}/_sandbox/behaviours`, { method: 'DELETE' });
  });

  it('supports metric math alarms, filters by state, and deletes all-or-nothing', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'checkout-error-rate',
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [elbStat('r', 'RequestCount'), elbStat('e', 'HTTPCode_Target_5XX_Count'), { Id: 'rate', Expression: '100 * FILL(e, 0) / r', ReturnData: true }],
      }),
    );
    env.advance(60, 5);
    const ok = await cw.send(new DescribeAlarmsCommand({ StateValue: 'OK', AlarmNamePrefix: 'checkout-' }));
    expect(ok.MetricAlarms?.map((a) => a.AlarmName)).toContain('checkout-error-rate');
    expect(ok.MetricAlarms?.find((a) => a.AlarmName === 'checkout-error-rate')?.Metrics).toHaveLength(3);
    await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['checkout-error-rate', 'ghost'] }))).rejects.toBeInstanceOf(ResourceNotFound);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['checkout-error-rate', 'checkout-5xx'] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
  });
});

describe.skipIf(!existsSync(AWS_CLI))('the AWS CLI against the sandbox (awsQuery)', () => {
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const cliEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const { stdout } = await promisify(execFile)(AWS_CLI, ['--endpoint-url', env.sandbox.endpoint, '--output', 'json', ...args], { env: cliEnv });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it('reads CloudWatch statistics and ELBv2 rule weights', async () => {
    const { StartTime, EndTime } = lastMinutes(2);
    const stats = await aws(
      'cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCount',
      '--dimensions', `Name=TargetGroup,Value=${tgDimension}`, `Name=LoadBalancer,Value=${LB}`,
      '--start-time', StartTime.toISOString(), '--end-time', EndTime.toISOString(), '--period', '60', '--statistics', 'Sum',
    );
    expect((stats.Datapoints as Array<{ Sum: number }>).map((d) => Math.round(d.Sum))).toEqual([3000, 3000]);
    const rules = await aws('elbv2', 'describe-rules', '--rule-arns', CHECKOUT_RULE);
    const [rule] = rules.Rules as Array<{ Actions: Array<{ ForwardConfig: { TargetGroups: Array<{ Weight: number }> } }> }>;
    expect(rule!.Actions[0]!.ForwardConfig.TargetGroups.map((g) => g.Weight)).toEqual([100, 0]);
  });
});

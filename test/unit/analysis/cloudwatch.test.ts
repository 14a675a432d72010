import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnalysisMetric } from '../../../src/manifest/index.js';
import { createCloudWatchAlarmProvider, createCloudWatchProvider, loadBalancerDimension, targetGroupDimension } from '../../../src/rollout/analysis/index.js';
import { dimensionValue, toMetricDataQuery } from '../../../src/rollout/analysis/providers/cloudwatch.js';
import { measureWith, T0 } from './helpers.js';

const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/fedcba9876543210';
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188';

const client = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const cloudwatch = mockClient(client);
afterEach(() => cloudwatch.reset());

const elb = (id: string, metricName: string, returnData = false) => ({
  id,
  metricStat: {
    metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions: [{ name: 'TargetGroup', value: '{{args.canaryTargetGroup}}' }, { name: 'LoadBalancer', value: LB_ARN }] },
    period: 60,
    stat: 'Sum',
  },
  returnData,
});

const errorRate: AnalysisMetric = {
  name: 'error-rate',
  provider: {
    cloudwatch: {
      period: '10m',
      metricDataQueries: [elb('errors', 'HTTPCode_Target_5XX_Count'), elb('requests', 'RequestCount'), { id: 'rate', expression: 'FILL(errors, 0) / requests', label: '5xx ratio' }],
    },
  },
};
const declared = [{ name: 'canaryTargetGroup' }];
const passed = [{ name: 'canaryTargetGroup', value: TG_ARN }];

describe('cloudwatch provider (GetMetricData)', () => {
  it('queries the period ending at the last whole minute, with the template queries in the SDK shape and dimensions from ARN args', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'rate', Label: '5xx ratio', StatusCode: 'Complete', Values: [0.02, 0.01], Timestamps: [new Date(T0), new Date(T0 - 60_000)] }] });
    const result = await measureWith(createCloudWatchProvider(client), errorRate, { declared, passed, now: T0 + 59_999 });
    expect(result.value).toEqual([0.02, 0.01]);
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ StartTime: new Date(T0 - 600_000), EndTime: new Date(T0), ScanBy: 'TimestampDescending' });
    expect(input.MetricDataQueries![0]).toEqual({
      Id: 'errors',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions: [
            { Name: 'TargetGroup', Value: 'targetgroup/checkout-green/fedcba9876543210' },
            { Name: 'LoadBalancer', Value: 'app/demo-alb/50dc6c495c0c9188' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    expect(input.MetricDataQueries![2]).toEqual({ Id: 'rate', Expression: 'FILL(errors, 0) / requests', Label: '5xx ratio' });
  });

  it('returns values by id when several queries return data, and follows NextToken', async () => {
    const twoReturned: AnalysisMetric = { name: 'both', provider: { cloudwatch: { metricDataQueries: [elb('errors', 'HTTPCode_Target_5XX_Count', true), elb('requests', 'RequestCount', true)] } } };
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'errors', StatusCode: 'PartialData', Values: [3], Timestamps: [new Date(T0)] }, { Id: 'requests', StatusCode: 'Complete', Values: [100] }], NextToken: 'page2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'errors', StatusCode: 'Complete', Values: [1], Timestamps: [new Date(T0 - 60_000)] }] });
    const result = await measureWith(createCloudWatchProvider(client), twoReturned, { declared, passed });
    expect(result.value).toEqual({ errors: [3, 1], requests: [100] });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('page2');
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.StartTime).toEqual(new Date(T0 - 300_000));
  });

  it('gives an empty list when CloudWatch has no datapoints', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'rate', StatusCode: 'Complete', Values: [], Timestamps: [] }] });
    expect((await measureWith(createCloudWatchProvider(client), errorRate, { declared, passed })).value).toEqual([]);
  });

  it('fails on a query CloudWatch could not answer, and on API errors', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'rate', StatusCode: 'InternalError', Messages: [{ Code: 'X', Value: 'try again' }] }] });
    await expect(measureWith(createCloudWatchProvider(client), errorRate, { declared, passed })).rejects.toThrow('GetMetricData query "rate": InternalError (try again)');
    cloudwatch.on(GetMetricDataCommand).rejects(new Error("Error in expression 'rate'"));
    await expect(measureWith(createCloudWatchProvider(client), errorRate, { declared, passed })).rejects.toThrow("Error in expression 'rate'");
  });

  it('stops following NextToken after a bounded number of pages', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'rate', StatusCode: 'PartialData', Values: [1] }], NextToken: 'again' });
    await expect(measureWith(createCloudWatchProvider(client), errorRate, { declared, passed })).rejects.toThrow('GetMetricData returned more than 10 pages');
  });
});

describe('cloudwatchAlarm provider (DescribeAlarms)', () => {
  const alarm: AnalysisMetric = { name: 'alarm', provider: { cloudwatchAlarm: { alarmName: '{{args.service}}-5xx' } } };

  it('returns the alarm state', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'checkout-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }] });
    const result = await measureWith(createCloudWatchAlarmProvider(client), alarm, { declared: [{ name: 'service', value: 'checkout' }] });
    expect(result).toEqual({ value: 'ALARM', raw: { AlarmName: 'checkout-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed' } });
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({ AlarmNames: ['checkout-5xx'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
  });

  it('reads composite alarms and fails for a missing alarm', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolvesOnce({ MetricAlarms: [], CompositeAlarms: [{ AlarmName: 'checkout-5xx', StateValue: 'OK' }] }).resolvesOnce({ MetricAlarms: [], CompositeAlarms: [] });
    const provider = createCloudWatchAlarmProvider(client);
    expect((await measureWith(provider, alarm, { declared: [{ name: 'service', value: 'checkout' }] })).value).toBe('OK');
    await expect(measureWith(provider, alarm, { declared: [{ name: 'service', value: 'checkout' }] })).rejects.toThrow('CloudWatch alarm "checkout-5xx" does not exist');
  });
});

describe('dimension values', () => {
  it('turns ARNs into the AWS/ApplicationELB dimension form and leaves other values alone', () => {
    expect(targetGroupDimension(TG_ARN)).toBe('targetgroup/checkout-green/fedcba9876543210');
    expect(loadBalancerDimension(LB_ARN)).toBe('app/demo-alb/50dc6c495c0c9188');
    expect(dimensionValue('TargetGroup', 'targetgroup/x/1')).toBe('targetgroup/x/1');
    expect(dimensionValue('ServiceName', 'arn:aws:ecs:us-east-1:123456789012:service/prod/x')).toBe('arn:aws:ecs:us-east-1:123456789012:service/prod/x');
    expect(() => targetGroupDimension(LB_ARN)).toThrow('is not a target group ARN');
    expect(() => loadBalancerDimension(TG_ARN)).toThrow('is not a load balancer ARN');
  });

  it('maps optional query fields only when set', () => {
    expect(toMetricDataQuery({ id: 'q', metricStat: { metric: { namespace: 'N', metricName: 'M' }, period: 60, stat: 'p99', unit: 'Seconds' }, period: 300 })).toEqual({
      Id: 'q',
      MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'p99', Unit: 'Seconds' },
      Period: 300,
    });
  });
});

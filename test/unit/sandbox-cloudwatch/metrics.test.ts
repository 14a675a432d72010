import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/sandbox/cloudwatch/alarms.js';
import { periodGrid, runQueries, QueryError } from '../../../src/sandbox/cloudwatch/queries.js';
import { MetricSampler } from '../../../src/sandbox/cloudwatch/sampler.js';
import { MetricStore, seriesKey } from '../../../src/sandbox/cloudwatch/store.js';
import type { TargetGroupTraffic } from '../../../src/sandbox/elbv2/state.js';
import { loadOf } from '../../../src/sandbox/elbv2/traffic.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo/fedcba9876543210';
const dims = [
  { Name: 'TargetGroup', Value: 'targetgroup/web/0123456789abcdef' },
  { Name: 'LoadBalancer', Value: 'app/demo/fedcba9876543210' },
];
const process = (errorRate: number, latencyMs: number) => ({ taskArn: 't', clusterArn: 'c', image: 'i', running: true, passesHealthCheck: true, errorRate, latencyMs });

function sampled(traffic: () => TargetGroupTraffic[], seconds: number, step = 10): MetricStore {
  const store = new MetricStore(180);
  const sampler = new MetricSampler(store, { targetGroupTraffic: traffic, ecs: () => undefined, watchedServices: () => [] });
  for (let t = 0; t <= seconds * 1000; t += step * 1000) sampler.sample(t);
  return store;
}

describe('simulated traffic', () => {
  it('routes round robin over healthy targets, failing open when none is healthy', () => {
    const load = loadOf(100, [
      { phase: 'healthy', process: process(0.1, 20) },
      { phase: 'healthy', process: process(0.3, 60) },
      { phase: 'unhealthy', process: process(1, 1000) },
    ]);
    expect(load).toMatchObject({ target5xxPerSecond: 20, target2xxPerSecond: 80, meanLatencyMs: 40, healthyHostCount: 2, unhealthyHostCount: 1, elb5xxPerSecond: 0 });
    expect(loadOf(10, [{ phase: 'unhealthy', process: process(0, 5) }])).toMatchObject({ target2xxPerSecond: 10, healthyHostCount: 0 });
    expect(loadOf(10, [])).toMatchObject({ elb5xxPerSecond: 10, target2xxPerSecond: 0 });
  });
});

describe('metric sampling', () => {
  it('integrates rates into per-minute sums, split at minute boundaries', () => {
    const store = sampled(() => [{ targetGroupArn: TG, loadBalancerArn: LB, load: loadOf(10, [{ phase: 'healthy', process: process(0.25, 30) }]) }], 150, 25);
    const grid = periodGrid(0, 180_000, 60);
    const [requests, errors, latency] = runQueries(
      store,
      [
        { id: 'r', kind: 'metric', returnData: true, metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: dims }, period: 60, stat: 'Sum' },
        { id: 'e', kind: 'metric', returnData: true, metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: [...dims].reverse() }, period: 60, stat: 'Sum' },
        { id: 'l', kind: 'metric', returnData: true, metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: dims }, period: 120, stat: 'Average' },
      ],
      grid[0]!,
      180_000,
    );
    expect(requests!.points).toEqual([
      [0, 600],
      [60_000, 600],
      [120_000, 300],
    ]);
    expect(errors!.points).toEqual([
      [0, 150],
      [60_000, 150],
      [120_000, 75],
    ]);
    expect(latency!.points).toEqual([
      [0, 0.03],
      [120_000, 0.03],
    ]);
  });

  it('reports no 5xx datapoints for minutes without errors, like ALB', () => {
    const store = sampled(() => [{ targetGroupArn: TG, loadBalancerArn: LB, load: loadOf(10, [{ phase: 'healthy', process: process(0, 30) }]) }], 120);
    expect(store.get({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: dims })).toBeUndefined();
    expect(seriesKey({ namespace: 'n', metricName: 'm', dimensions: [...dims].reverse() })).toBe(seriesKey({ namespace: 'n', metricName: 'm', dimensions: dims }));
  });

  it('rejects circular expressions', () => {
    const store = new MetricStore(60);
    expect(() =>
      runQueries(
        store,
        [
          { id: 'a', kind: 'expression', returnData: true, expression: 'b + 1' },
          { id: 'b', kind: 'expression', returnData: false, expression: 'a * 2' },
        ],
        0,
        60_000,
      ),
    ).toThrow(QueryError);
  });
});

describe('alarm verdicts', () => {
  const rule = { comparisonOperator: 'GreaterThanThreshold', threshold: 10, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'missing' as const };
  const grid = [0, 60_000, 120_000];

  it('alarms when M of N datapoints breach', () => {
    expect(judge(rule, new Map([[0, 11], [60_000, 5], [120_000, 12]]), grid).state).toBe('ALARM');
    expect(judge(rule, new Map([[0, 11], [60_000, 5], [120_000, 9]]), grid).state).toBe('OK');
  });

  it('treats missing data as configured', () => {
    const empty = new Map<number, number>();
    expect(judge(rule, empty, grid).state).toBe('INSUFFICIENT_DATA');
    expect(judge({ ...rule, treatMissingData: 'breaching' }, empty, grid).state).toBe('ALARM');
    expect(judge({ ...rule, treatMissingData: 'notBreaching' }, empty, grid).state).toBe('OK');
    expect(judge({ ...rule, treatMissingData: 'ignore' }, empty, grid).state).toBeUndefined();
  });
});

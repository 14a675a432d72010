import { arnSuffix } from '../elbv2/arns.js';
import type { TargetGroupTraffic } from '../elbv2/state.js';
import type { TargetGroupLoad } from '../elbv2/traffic.js';
import type { EcsView } from '../world.js';
import { MINUTE_MS, type Dimension, type MetricStore, type Series } from './store.js';

export const ELB_NAMESPACE = 'AWS/ApplicationELB';
export const ECS_NAMESPACE = 'AWS/ECS';

/** Where the sampler reads the simulated world from; either may be absent from a sandbox. */
export interface MetricSources {
  targetGroupTraffic(): TargetGroupTraffic[];
  ecs(): EcsView | undefined;
  /** ECS services (cluster, service) whose AWS/ECS metrics are recorded. */
  watchedServices(): Iterable<{ cluster: string; service: string }>;
}

/** The namespace and dimensions shared by several metrics (one target group, one service), with their series. */
interface MetricOwner {
  namespace: string;
  dimensions: Dimension[];
  /** Metric name -> series, filled on first use, so that recording costs no key building. */
  series: Map<string, Series>;
}

const newOwner = (namespace: string, dimensions: Dimension[]): MetricOwner => ({ namespace, dimensions, series: new Map() });

interface ElbOwners {
  loadBalancerArn: string;
  both: MetricOwner;
  tgOnly: MetricOwner;
  lb: MetricOwner;
}

/** Adds statistics to the current minute of one metric of an owner. */
type Recorder = (owner: MetricOwner, metricName: string, unit: string, sum: number, sampleCount: number, min: number, max: number) => void;

/**
 * Turns the simulated world into metrics. Between two samples the world is taken as constant (as of the
 * later one), and the elapsed time is split at minute boundaries so each minute gets its share.
 * Deterministic: the same clock steps give the same metrics.
 */
export class MetricSampler {
  private lastSampleAt: number | undefined;
  /** Per target group ARN, kept across samples (rebuilt if the group moves to another load balancer). */
  private readonly elbOwners = new Map<string, ElbOwners>();
  /** Per `cluster/service`. */
  private readonly ecsOwners = new Map<string, MetricOwner>();

  constructor(
    private readonly store: MetricStore,
    private readonly sources: MetricSources,
    private readonly minIntervalMs = 5_000,
  ) {}

  private seriesOf(metrics: MetricOwner, metricName: string, unit: string): Series {
    let series = metrics.series.get(metricName);
    if (!series) {
      series = this.store.open({ namespace: metrics.namespace, metricName, dimensions: metrics.dimensions }, unit);
      metrics.series.set(metricName, series);
    }
    return series;
  }

  private elbOwnersOf(targetGroupArn: string, loadBalancerArn: string): ElbOwners {
    const cached = this.elbOwners.get(targetGroupArn);
    if (cached?.loadBalancerArn === loadBalancerArn) return cached;
    const tgDimension = { Name: 'TargetGroup', Value: arnSuffix(targetGroupArn) };
    const lbDimension = { Name: 'LoadBalancer', Value: arnSuffix(loadBalancerArn) };
    const owners = { loadBalancerArn, both: newOwner(ELB_NAMESPACE, [tgDimension, lbDimension]), tgOnly: newOwner(ELB_NAMESPACE, [tgDimension]), lb: newOwner(ELB_NAMESPACE, [lbDimension]) };
    this.elbOwners.set(targetGroupArn, owners);
    return owners;
  }

  private ecsOwnerOf(cluster: string, service: string): MetricOwner {
    const key = `${cluster}/${service}`;
    let metrics = this.ecsOwners.get(key);
    if (!metrics) {
      metrics = newOwner(ECS_NAMESPACE, [
        { Name: 'ClusterName', Value: cluster },
        { Name: 'ServiceName', Value: service },
      ]);
      this.ecsOwners.set(key, metrics);
    }
    return metrics;
  }

  /** Returns whether it sampled: not when less than `minIntervalMs` passed within the same minute. */
  sample(now: number): boolean {
    const from = this.lastSampleAt ?? now;
    if (this.lastSampleAt === undefined) this.lastSampleAt = now;
    if (now <= from || (now - from < this.minIntervalMs && Math.floor(now / MINUTE_MS) === Math.floor(from / MINUTE_MS))) return false;
    this.lastSampleAt = now;
    const traffic = this.sources.targetGroupTraffic();
    const ecs = this.sources.ecs();
    const services = [...this.sources.watchedServices()].map(({ cluster, service }) => ({ metrics: this.ecsOwnerOf(cluster, service), utilization: ecs?.serviceUtilization(cluster, service) }));
    const elb = traffic.map((entry) => ({ ...entry, owners: this.elbOwnersOf(entry.targetGroupArn, entry.loadBalancerArn) }));
    for (let start = from; start < now; ) {
      const end = Math.min(now, (Math.floor(start / MINUTE_MS) + 1) * MINUTE_MS);
      const seconds = (end - start) / 1000;
      const at = start;
      const record: Recorder = (metrics, metricName, unit, sum, sampleCount, min, max) => this.store.add(this.seriesOf(metrics, metricName, unit), at, sum, sampleCount, min, max);
      recordElb(elb, seconds, record);
      const weight = seconds / 60;
      for (const { metrics, utilization } of services) {
        if (!utilization) continue;
        record(metrics, 'CPUUtilization', 'Percent', utilization.cpu * weight, weight, utilization.cpu, utilization.cpu);
        record(metrics, 'MemoryUtilization', 'Percent', utilization.memory * weight, weight, utilization.memory, utilization.memory);
        record(metrics, 'RunningTaskCount', 'Count', utilization.runningCount * weight, weight, utilization.runningCount, utilization.runningCount);
      }
      start = end;
    }
    if (Math.floor(now / MINUTE_MS) !== Math.floor(from / MINUTE_MS)) this.store.prune(now);
    return true;
  }
}

const COUNT_METRICS: Array<[string, (load: TargetGroupLoad) => number]> = [
  ['RequestCount', (load) => load.requestsPerSecond],
  ['HTTPCode_Target_2XX_Count', (load) => load.target2xxPerSecond],
  ['HTTPCode_Target_5XX_Count', (load) => load.target5xxPerSecond],
  ['HTTPCode_ELB_5XX_Count', (load) => load.elb5xxPerSecond],
];

/**
 * Like ALB, count metrics are reported only for minutes in which something was counted (no 5xx: no
 * HTTPCode_Target_5XX_Count datapoint), so queries need FILL or TreatMissingData, as against AWS.
 */
function recordCount(record: Recorder, metrics: MetricOwner, metricName: string, count: number, seconds: number): void {
  if (count <= 0) return;
  const perMinute = (count / seconds) * 60;
  record(metrics, metricName, 'Count', count, seconds / 60, perMinute, perMinute);
}

interface LoadBalancerTotals {
  owner: MetricOwner;
  counts: number[];
  latencySum: number;
  answered: number;
  min: number;
  max: number;
}

function recordElb(traffic: Array<TargetGroupTraffic & { owners: ElbOwners }>, seconds: number, record: Recorder): void {
  const weight = seconds / 60;
  const lbTotals = new Map<string, LoadBalancerTotals>();
  for (const { loadBalancerArn, load, owners } of traffic) {
    const { both, tgOnly, lb } = owners;
    let totals = lbTotals.get(loadBalancerArn);
    if (!totals) {
      totals = { owner: lb, counts: COUNT_METRICS.map(() => 0), latencySum: 0, answered: 0, min: Number.POSITIVE_INFINITY, max: 0 };
      lbTotals.set(loadBalancerArn, totals);
    }
    for (let i = 0; i < COUNT_METRICS.length; i++) {
      const [name, rate] = COUNT_METRICS[i]!;
      const count = rate(load) * seconds;
      totals.counts[i]! += count;
      // ALB reports its own 5xx per load balancer only.
      if (name !== 'HTTPCode_ELB_5XX_Count') recordCount(record, both, name, count, seconds);
    }
    const perTarget = (load.requestsPerSecond * seconds) / Math.max(1, load.healthyHostCount);
    recordCount(record, both, 'RequestCountPerTarget', perTarget, seconds);
    recordCount(record, tgOnly, 'RequestCountPerTarget', perTarget, seconds);
    record(both, 'HealthyHostCount', 'Count', load.healthyHostCount * weight, weight, load.healthyHostCount, load.healthyHostCount);
    record(both, 'UnHealthyHostCount', 'Count', load.unhealthyHostCount * weight, weight, load.unhealthyHostCount, load.unhealthyHostCount);
    const answered = (load.target2xxPerSecond + load.target5xxPerSecond) * seconds;
    if (answered > 0) {
      const latency = load.meanLatencyMs / 1000;
      record(both, 'TargetResponseTime', 'Seconds', latency * answered, answered, load.minLatencyMs / 1000, load.maxLatencyMs / 1000);
      totals.latencySum += latency * answered;
      totals.answered += answered;
      totals.min = Math.min(totals.min, load.minLatencyMs / 1000);
      totals.max = Math.max(totals.max, load.maxLatencyMs / 1000);
    }
  }
  for (const totals of lbTotals.values()) {
    COUNT_METRICS.forEach(([name], i) => recordCount(record, totals.owner, name, totals.counts[i]!, seconds));
    if (totals.answered > 0) record(totals.owner, 'TargetResponseTime', 'Seconds', totals.latencySum, totals.answered, totals.min, totals.max);
  }
}

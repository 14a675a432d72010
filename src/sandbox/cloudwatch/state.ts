import { AwsError } from '../core/errors.js';
import type { TargetGroupTraffic } from '../elbv2/state.js';
import type { EcsView, SandboxClock } from '../world.js';
import { judge, type AlarmState, type TreatMissingData } from './alarms.js';
import type { TimeSeries } from './expression.js';
import { metricSeries, periodGrid, QueryError, runQueries, type MetricDataQuery } from './queries.js';
import { ECS_NAMESPACE, MetricSampler } from './sampler.js';
import { MetricStore, type MetricId } from './store.js';

/** Three hours of minutes by default: enough for rollout analysis and alarms, small for 5,000 services. */
export const DEFAULT_RETENTION_MINUTES = 180;

export interface Alarm {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** A single-metric alarm... */
  metric?: MetricId & { period: number; statistic?: string; extendedStatistic?: string; unit?: string };
  /** ...or a metric math alarm: the queries exactly as given, plus their parsed form. */
  metrics?: { raw: unknown[]; queries: MetricDataQuery[] };
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: string;
  treatMissingData: TreatMissingData;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
  configUpdatedAt: number;
  /** End of the last period evaluated. */
  evaluatedUpTo: number;
  tags: Map<string, string>;
}

export interface CloudWatchStateOptions {
  region: string;
  accountId: string;
  clock: SandboxClock;
  ecs: () => EcsView | undefined;
  targetGroupTraffic: () => TargetGroupTraffic[];
  retentionMinutes?: number;
}

export const alarmNotFound = (names: string[]): AwsError => new AwsError('ResourceNotFound', `Alarm(s) not found: ${names.join(', ')}`, 404);

/**
 * Simulated CloudWatch: metrics sampled from the simulated ELB traffic and ECS services, queries over them,
 * and alarms evaluated once per period. Its clock is real time (the sandbox's realClock): the world is sampled
 * as it stands at each moment, however fast its lifecycles run.
 */
export class CloudWatchState {
  readonly store: MetricStore;
  readonly alarms = new Map<string, Alarm>();
  private readonly sampler: MetricSampler;
  /** `cluster/service` -> parts, for services whose AWS/ECS metrics are recorded. */
  private readonly watched = new Map<string, { cluster: string; service: string }>();

  constructor(private readonly options: CloudWatchStateOptions) {
    this.store = new MetricStore(options.retentionMinutes ?? DEFAULT_RETENTION_MINUTES);
    this.sampler = new MetricSampler(this.store, {
      targetGroupTraffic: options.targetGroupTraffic,
      ecs: options.ecs,
      watchedServices: () => this.watched.values(),
    });
  }

  alarmArn(name: string): string {
    return `arn:aws:cloudwatch:${this.options.region}:${this.options.accountId}:alarm:${name}`;
  }

  /**
   * AWS/ECS metrics exist only for services someone asked about (a query, an alarm, the seed): EcsView cannot
   * list services, so CloudWatch starts recording a service the first time it is mentioned.
   */
  watch(metric: MetricId): void {
    if (metric.namespace !== ECS_NAMESPACE) return;
    const cluster = metric.dimensions.find((d) => d.Name === 'ClusterName')?.Value;
    const service = metric.dimensions.find((d) => d.Name === 'ServiceName')?.Value;
    if (cluster !== undefined && service !== undefined) this.watched.set(`${cluster}/${service}`, { cluster, service });
  }

  watchService(cluster: string, service: string): void {
    this.watched.set(`${cluster}/${service}`, { cluster, service });
  }

  putAlarm(alarm: Omit<Alarm, 'arn' | 'state' | 'stateReason' | 'stateUpdatedAt' | 'stateTransitionedAt' | 'configUpdatedAt' | 'evaluatedUpTo' | 'tags'>, tags: Map<string, string>): Alarm {
    const now = this.options.clock.now();
    const existing = this.alarms.get(alarm.name);
    const stored: Alarm = {
      ...alarm,
      arn: this.alarmArn(alarm.name),
      state: existing?.state ?? 'INSUFFICIENT_DATA',
      stateReason: existing?.stateReason ?? 'Unchecked: Initial alarm creation',
      ...(existing?.stateReasonData !== undefined ? { stateReasonData: existing.stateReasonData } : {}),
      stateUpdatedAt: existing?.stateUpdatedAt ?? now,
      stateTransitionedAt: existing?.stateTransitionedAt ?? now,
      configUpdatedAt: now,
      // Like AWS, the first evaluation comes with the next period boundary, not at once.
      evaluatedUpTo: Math.floor(now / (this.alarmPeriod(alarm) * 1000)) * this.alarmPeriod(alarm) * 1000,
      tags: new Map([...(existing?.tags ?? []), ...tags]),
    };
    if (stored.metric) this.watch(stored.metric);
    for (const query of stored.metrics?.queries ?? []) if (query.kind === 'metric') this.watch(query.metric);
    this.alarms.set(alarm.name, stored);
    return stored;
  }

  deleteAlarms(names: string[]): void {
    const missing = names.filter((name) => !this.alarms.has(name));
    if (missing.length > 0) throw alarmNotFound(missing);
    for (const name of names) this.alarms.delete(name);
  }

  setAlarmState(name: string, state: AlarmState, reason: string, reasonData: string | undefined): void {
    const alarm = this.alarms.get(name);
    if (!alarm) throw alarmNotFound([name]);
    this.transition(alarm, state, reason, reasonData, this.options.clock.now());
  }

  private transition(alarm: Alarm, state: AlarmState, reason: string, reasonData: string | undefined, now: number): void {
    if (alarm.state !== state) alarm.stateTransitionedAt = now;
    alarm.state = state;
    alarm.stateReason = reason;
    alarm.stateUpdatedAt = now;
    if (reasonData === undefined) delete alarm.stateReasonData;
    else alarm.stateReasonData = reasonData;
  }

  /**
   * Samples at most every few seconds (and at each minute boundary, so finished minutes are
   * complete), since the sandbox ticks before every request; alarms are evaluated with each sample.
   */
  tick(now: number): void {
    if (!this.sampler.sample(now)) return;
    for (const alarm of this.alarms.values()) this.evaluate(alarm, now);
  }

  private alarmPeriod(alarm: Pick<Alarm, 'metric' | 'metrics'>): number {
    return alarm.metric?.period ?? alarm.metrics?.queries.find((q) => q.kind === 'metric')?.period ?? 60;
  }

  /** Evaluates an alarm once each time one of its periods completes. */
  private evaluate(alarm: Alarm, now: number): void {
    const period = this.alarmPeriod(alarm);
    const periodMs = period * 1000;
    const end = Math.floor(now / periodMs) * periodMs;
    if (end <= alarm.evaluatedUpTo) return;
    alarm.evaluatedUpTo = end;
    const start = end - alarm.evaluationPeriods * periodMs;
    const grid = periodGrid(start, end, period);
    let series: TimeSeries;
    try {
      series = this.alarmSeries(alarm, grid, start, end, period);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      this.transition(alarm, 'INSUFFICIENT_DATA', `Unable to evaluate the alarm: ${error.message}`, undefined, now);
      return;
    }
    const verdict = judge(alarm, series, grid);
    if (verdict.state === undefined) return;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: new Date(now).toISOString(),
      startDate: new Date(start).toISOString(),
      ...(alarm.metric ? { statistic: alarm.metric.statistic ?? alarm.metric.extendedStatistic, unit: alarm.metric.unit } : {}),
      period,
      recentDatapoints: verdict.recentDatapoints,
      threshold: alarm.threshold,
    });
    this.transition(alarm, verdict.state, verdict.reason, reasonData, now);
  }

  private alarmSeries(alarm: Alarm, grid: readonly number[], start: number, end: number, period: number): TimeSeries {
    if (alarm.metric) {
      return metricSeries(this.store, alarm.metric, alarm.metric.statistic ?? alarm.metric.extendedStatistic ?? 'Average', grid, period);
    }
    const [result] = runQueries(this.store, alarm.metrics!.queries, start, end);
    return new Map(result?.points ?? []);
  }

  snapshot(): unknown {
    return {
      watchedEcsServices: [...this.watched.keys()],
      metrics: [...this.store.all()].map((s) => ({ namespace: s.namespace, metricName: s.metricName, dimensions: s.dimensions, minutes: s.buckets.size })),
      alarms: [...this.alarms.values()].map((a) => ({ name: a.name, state: a.state, reason: a.stateReason })),
    };
  }
}

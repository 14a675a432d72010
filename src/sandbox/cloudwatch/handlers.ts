import { AwsError } from '../core/errors.js';
import type { Handlers } from '../core/service.js';
import { pageOf } from '../elbv2/paging.js';
import { ParamReader } from '../elbv2/params.js';
import { COMPARISONS, type AlarmState, type TreatMissingData } from './alarms.js';
import { periodGrid, QueryError, runQueries, type MetricDataQuery } from './queries.js';
import type { Alarm, CloudWatchState } from './state.js';
import { aggregate, isKnownStatistic, statistic, type Dimension, type MetricId } from './store.js';

const invalid = (message: string): AwsError => new AwsError('InvalidParameterValue', message, 400);
const read = (input: unknown): ParamReader => ParamReader.of(input, invalid);
const invalidToken = (): AwsError => new AwsError('InvalidNextToken', 'The service cannot process the NextToken', 400);

const MAX_DATAPOINTS = 1440;
const ALARM_STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const TREAT_MISSING: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new AwsError('MissingParameter', `The parameter ${name} is required.`, 400);
  return value;
}

function dimensions(params: ParamReader, where: string): Dimension[] {
  const items = params.structList('Dimensions') ?? [];
  if (items.length > 30) throw invalid(`${where}.Dimensions can have at most 30 dimensions`);
  return items.map((item) => ({ Name: item.string('Name'), Value: item.string('Value') }));
}

function metricId(params: ParamReader, where: string): MetricId {
  return {
    namespace: required(params.optString('Namespace'), `${where}.Namespace`),
    metricName: required(params.optString('MetricName'), `${where}.MetricName`),
    dimensions: dimensions(params, where),
  };
}

/** The sandbox stores one-minute statistics, so periods are whole minutes. */
function period(value: number | undefined, name: string): number {
  const seconds = required(value, name);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds % 60 !== 0) throw invalid(`The parameter ${name} must be a multiple of 60 (the sandbox keeps 60-second resolution), got ${seconds}`);
  return seconds;
}

function timeRange(params: ParamReader): { start: number; end: number } {
  const start = required(params.optTimestamp('StartTime'), 'StartTime');
  const end = required(params.optTimestamp('EndTime'), 'EndTime');
  if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end };
}

function parseQueries(state: CloudWatchState, items: ParamReader[] | undefined, where: string): MetricDataQuery[] {
  if (!items || items.length === 0) throw new AwsError('MissingParameter', `The parameter ${where} is required.`, 400);
  if (items.length > 500) throw invalid(`${where} can contain at most 500 queries`);
  return items.map((item, i) => {
    const at = `${where}.member.${i + 1}`;
    const id = item.string('Id');
    if (!/^[a-z][A-Za-z0-9_]*$/.test(id)) throw invalid(`The value ${id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    const label = item.optString('Label');
    const returnData = item.optBoolean('ReturnData') ?? true;
    const stat = item.optStruct('MetricStat');
    const expression = item.optString('Expression');
    if ((stat === undefined) === (expression === undefined)) throw invalid(`${at} must have exactly one of MetricStat and Expression`);
    const base = { id, returnData, ...(label !== undefined ? { label } : {}) };
    if (expression !== undefined) {
      const ownPeriod = item.optNumber('Period');
      return { ...base, kind: 'expression', expression, ...(ownPeriod !== undefined ? { period: period(ownPeriod, `${at}.Period`) } : {}) };
    }
    const metricParams = stat!.optStruct('Metric');
    const metric = metricId(required(metricParams, `${at}.MetricStat.Metric`), `${at}.MetricStat.Metric`);
    const statName = stat!.string('Stat');
    if (!isKnownStatistic(statName)) throw invalid(`The value ${statName} for parameter ${at}.MetricStat.Stat is not a supported statistic`);
    state.watch(metric);
    return { ...base, kind: 'metric', metric, stat: statName, period: period(stat!.optNumber('Period'), `${at}.MetricStat.Period`) };
  });
}

function describeAlarm(alarm: Alarm): Record<string, unknown> {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(alarm.description !== undefined ? { AlarmDescription: alarm.description } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    ...(alarm.stateReasonData !== undefined ? { StateReasonData: alarm.stateReasonData } : {}),
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    ...(alarm.metric
      ? {
          MetricName: alarm.metric.metricName,
          Namespace: alarm.metric.namespace,
          ...(alarm.metric.statistic ? { Statistic: alarm.metric.statistic } : {}),
          ...(alarm.metric.extendedStatistic ? { ExtendedStatistic: alarm.metric.extendedStatistic } : {}),
          Dimensions: alarm.metric.dimensions,
          Period: alarm.metric.period,
          ...(alarm.metric.unit ? { Unit: alarm.metric.unit } : {}),
        }
      : { Dimensions: [], Metrics: alarm.metrics!.raw }),
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: alarm.treatMissingData,
    StateTransitionedTimestamp: new Date(alarm.stateTransitionedAt),
  };
}

/** CloudWatch's metric and alarm API over a `CloudWatchState`; the same table serves awsJson and awsQuery. */
export function cloudwatchHandlers(state: CloudWatchState): Handlers {
  return {
    GetMetricData(input: unknown) {
      const params = read(input);
      const queries = parseQueries(state, params.structList('MetricDataQueries'), 'MetricDataQueries');
      const { start, end } = timeRange(params);
      const scanBy = params.optString('ScanBy') ?? 'TimestampDescending';
      if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw invalid(`ScanBy must be TimestampDescending or TimestampAscending, got ${scanBy}`);
      let results;
      try {
        results = runQueries(state.store, queries, start, end);
      } catch (error) {
        if (error instanceof QueryError) throw new AwsError('ValidationError', error.message, 400);
        throw error;
      }
      return {
        MetricDataResults: results.map((result) => {
          const points = scanBy === 'TimestampDescending' ? [...result.points].reverse() : result.points;
          return { Id: result.id, Label: result.label, Timestamps: points.map(([t]) => new Date(t)), Values: points.map(([, v]) => v), StatusCode: 'Complete', Messages: [] };
        }),
        Messages: [],
      };
    },

    GetMetricStatistics(input: unknown) {
      const params = read(input);
      const metric = metricId(params, 'GetMetricStatistics');
      const { start, end } = timeRange(params);
      const periodSeconds = period(params.optNumber('Period'), 'Period');
      const statistics = params.stringList('Statistics') ?? [];
      const extended = params.stringList('ExtendedStatistics') ?? [];
      if ((statistics.length === 0) === (extended.length === 0)) throw new AwsError('InvalidParameterCombination', 'Must specify either Statistics or ExtendedStatistics, but not both.', 400);
      for (const stat of statistics) if (!['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'].includes(stat)) throw invalid(`The value ${stat} for parameter Statistics is not valid.`);
      for (const stat of extended) if (!/^p/.test(stat) || !isKnownStatistic(stat)) throw invalid(`The value ${stat} for parameter ExtendedStatistics is not valid.`);
      const grid = periodGrid(start, end, periodSeconds);
      if (grid.length > MAX_DATAPOINTS) {
        throw new AwsError('InvalidParameterCombination', `You have requested up to ${grid.length} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`, 400);
      }
      state.watch(metric);
      const series = state.store.get(metric);
      const datapoints = grid.flatMap((t) => {
        const bucket = aggregate(series, t, periodSeconds * 1000);
        if (!bucket) return [];
        return [
          {
            Timestamp: new Date(t),
            ...Object.fromEntries(statistics.map((stat) => [stat, statistic(bucket, stat)])),
            ...(extended.length ? { ExtendedStatistics: Object.fromEntries(extended.map((stat) => [stat, statistic(bucket, stat)])) } : {}),
            Unit: series!.unit,
          },
        ];
      });
      return { Label: metric.metricName, Datapoints: datapoints };
    },

    ListMetrics(input: unknown) {
      const params = read(input);
      const namespace = params.optString('Namespace');
      const metricName = params.optString('MetricName');
      const filters = (params.structList('Dimensions') ?? []).map((item) => ({ name: item.string('Name'), value: item.optString('Value') }));
      const metrics = [...state.store.all()].filter(
        (s) =>
          (namespace === undefined || s.namespace === namespace) &&
          (metricName === undefined || s.metricName === metricName) &&
          filters.every((f) => s.dimensions.some((d) => d.Name === f.name && (f.value === undefined || d.Value === f.value))),
      );
      const { page, next } = pageOf(metrics, params.optString('NextToken'), 500, invalidToken);
      return { Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions })), ...(next ? { NextToken: next } : {}) };
    },

    PutMetricAlarm(input: unknown) {
      const params = read(input);
      const name = params.string('AlarmName');
      if (name.length > 255) throw invalid('AlarmName can have at most 255 characters');
      const comparisonOperator = params.string('ComparisonOperator');
      if (!COMPARISONS[comparisonOperator]) throw invalid(`The sandbox supports static thresholds only; ComparisonOperator ${comparisonOperator} is not valid`);
      const evaluationPeriods = required(params.optInt('EvaluationPeriods', 1, 1440), 'EvaluationPeriods');
      const datapointsToAlarm = params.optInt('DatapointsToAlarm', 1, evaluationPeriods) ?? evaluationPeriods;
      const treatMissingData = (params.optString('TreatMissingData') ?? 'missing') as TreatMissingData;
      if (!TREAT_MISSING.includes(treatMissingData)) throw invalid(`TreatMissingData must be one of ${TREAT_MISSING.join(', ')}`);
      const mathQueries = params.structList('Metrics');
      let metric: Alarm['metric'];
      let metrics: Alarm['metrics'];
      if (mathQueries?.length) {
        if (params.has('MetricName') || params.has('Namespace')) throw new AwsError('InvalidParameterCombination', 'Metrics cannot be combined with MetricName or Namespace', 400);
        const queries = parseQueries(state, mathQueries, 'Metrics');
        if (queries.filter((q) => q.returnData).length !== 1) throw invalid('Exactly one element of the Metrics list must have ReturnData set to true');
        metrics = { raw: params.optList('Metrics')!, queries };
      } else {
        const statisticName = params.optString('Statistic');
        const extendedStatistic = params.optString('ExtendedStatistic');
        if ((statisticName === undefined) === (extendedStatistic === undefined)) throw new AwsError('InvalidParameterCombination', 'Exactly one of Statistic and ExtendedStatistic must be specified', 400);
        if (!isKnownStatistic(statisticName ?? extendedStatistic!)) throw invalid(`Statistic ${statisticName ?? extendedStatistic} is not valid`);
        const unit = params.optString('Unit');
        metric = {
          ...metricId(params, 'PutMetricAlarm'),
          period: period(params.optNumber('Period'), 'Period'),
          ...(statisticName !== undefined ? { statistic: statisticName } : {}),
          ...(extendedStatistic !== undefined ? { extendedStatistic } : {}),
          ...(unit !== undefined ? { unit } : {}),
        };
      }
      const description = params.optString('AlarmDescription');
      state.putAlarm(
        {
          name,
          ...(description !== undefined ? { description } : {}),
          actionsEnabled: params.optBoolean('ActionsEnabled') ?? true,
          okActions: params.stringList('OKActions') ?? [],
          alarmActions: params.stringList('AlarmActions') ?? [],
          insufficientDataActions: params.stringList('InsufficientDataActions') ?? [],
          ...(metric ? { metric } : {}),
          ...(metrics ? { metrics } : {}),
          evaluationPeriods,
          datapointsToAlarm,
          threshold: params.number('Threshold'),
          comparisonOperator,
          treatMissingData,
        },
        params.keyValues('Tags') ?? new Map(),
      );
      return {};
    },

    DescribeAlarms(input: unknown) {
      const params = read(input);
      const names = params.stringList('AlarmNames');
      const prefix = params.optString('AlarmNamePrefix');
      if (names?.length && prefix !== undefined) throw new AwsError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together', 400);
      if (names && names.length > 100) throw invalid('AlarmNames can contain at most 100 names');
      const stateValue = params.optString('StateValue');
      const types = params.stringList('AlarmTypes');
      const wanted = names?.length ? new Set(names) : undefined;
      const alarms = [...state.alarms.values()]
        .filter((a) => (wanted === undefined || wanted.has(a.name)) && (prefix === undefined || a.name.startsWith(prefix)) && (stateValue === undefined || a.state === stateValue))
        .sort((a, b) => a.name.localeCompare(b.name));
      const includeMetricAlarms = !types?.length || types.includes('MetricAlarm');
      const { page, next } = pageOf(includeMetricAlarms ? alarms : [], params.optString('NextToken'), params.optInt('MaxRecords', 1, 100) ?? 50, invalidToken);
      return { MetricAlarms: page.map(describeAlarm), CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
    },

    DeleteAlarms(input: unknown) {
      const names = read(input).stringList('AlarmNames');
      if (!names?.length) throw new AwsError('MissingParameter', 'The parameter AlarmNames is required.', 400);
      if (names.length > 100) throw invalid('AlarmNames can contain at most 100 names');
      state.deleteAlarms(names);
      return {};
    },

    SetAlarmState(input: unknown) {
      const params = read(input);
      const value = params.string('StateValue') as AlarmState;
      if (!ALARM_STATES.includes(value)) throw invalid(`StateValue must be one of ${ALARM_STATES.join(', ')}`);
      const reasonData = params.optString('StateReasonData');
      if (reasonData !== undefined) {
        try {
          JSON.parse(reasonData);
        } catch {
          throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON', 400);
        }
      }
      state.setAlarmState(params.string('AlarmName'), value, params.string('StateReason'), reasonData);
      return {};
    },
  };
}

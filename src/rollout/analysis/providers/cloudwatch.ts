/**
 * The CloudWatch providers. `cloudwatch` runs the template's GetMetricData queries (metric math included) over the
 * `period` ending now; `cloudwatchAlarm` reads an alarm's state with DescribeAlarms.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery, type MetricDataResult, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { parseDuration } from '../../../manifest/index.js';
import type { MetricProvider } from '../measure.js';
import { providerConfig } from './config.js';

export type CloudWatchSender = Pick<CloudWatchClient, 'send'>;
type TemplateQuery = NonNullable<ReturnType<typeof providerConfig<'cloudwatch'>>>['metricDataQueries'][number];

export const CLOUDWATCH_DEFAULT_PERIOD = '5m';
/**
 * Windows end at the last whole minute: the minute in progress is a partial datapoint (a Sum of half a minute looks
 * like a traffic drop), and ALB metrics have one-minute resolution.
 */
const MINUTE_MS = 60_000;
/** Bounds the NextToken loop: a runaway paginator must end as an Error measurement, not hang a reconcile. */
const MAX_PAGES = 10;

/** `targetgroup/name/id`, the TargetGroup dimension of AWS/ApplicationELB metrics, from a target group ARN. */
export function targetGroupDimension(arn: string): string {
  const at = arn.indexOf(':targetgroup/');
  if (at < 0) throw new Error(`"${arn}" is not a target group ARN`);
  return arn.slice(at + 1);
}

/** `app/name/id`, the LoadBalancer dimension of AWS/ApplicationELB metrics, from a load balancer ARN. */
export function loadBalancerDimension(arn: string): string {
  const at = arn.indexOf(':loadbalancer/');
  if (at < 0) throw new Error(`"${arn}" is not a load balancer ARN`);
  return arn.slice(at + ':loadbalancer/'.length);
}

/** Lets templates pass ARNs (e.g. `{{args.canaryTargetGroup}}`) where CloudWatch wants the dimension form. */
export function dimensionValue(name: string, value: string): string {
  if (!value.startsWith('arn:')) return value;
  if (name === 'TargetGroup' && value.includes(':targetgroup/')) return targetGroupDimension(value);
  if (name === 'LoadBalancer' && value.includes(':loadbalancer/')) return loadBalancerDimension(value);
  return value;
}

/** The template's query (camelCase, as written) in GetMetricData's shape. */
export function toMetricDataQuery(query: TemplateQuery): MetricDataQuery {
  const stat = query.metricStat;
  return {
    Id: query.id,
    ...(query.expression === undefined ? {} : { Expression: query.expression }),
    ...(stat === undefined
      ? {}
      : {
          MetricStat: {
            Metric: {
              Namespace: stat.metric.namespace,
              MetricName: stat.metric.metricName,
              ...(stat.metric.dimensions ? { Dimensions: stat.metric.dimensions.map((d) => ({ Name: d.name, Value: dimensionValue(d.name, d.value) })) } : {}),
            },
            Period: stat.period,
            Stat: stat.stat,
            ...(stat.unit === undefined ? {} : { Unit: stat.unit as StandardUnit }),
          },
        }),
    ...(query.label === undefined ? {} : { Label: query.label }),
    ...(query.returnData === undefined ? {} : { ReturnData: query.returnData }),
    ...(query.period === undefined ? {} : { Period: query.period }),
  };
}

/**
 * Runs the queries over the `period` (default 5m) ending at the last whole minute before now. `result` is the values
 * of the query that returns data, newest first; with several such queries (ReturnData
 * defaults to true), an object of values by query id.
 */
export function createCloudWatchProvider(client: CloudWatchSender): MetricProvider {
  return {
    async measure(metric, args, context) {
      const cloudwatch = providerConfig(metric, 'cloudwatch', args);
      const queries = cloudwatch.metricDataQueries.map(toMetricDataQuery);
      const periodMs = parseDuration(cloudwatch.period ?? CLOUDWATCH_DEFAULT_PERIOD) * 1000;
      const end = Math.floor(context.now / MINUTE_MS) * MINUTE_MS;
      const results = await getMetricData(client, queries, new Date(end - periodMs), new Date(end));
      const returned = queries.filter((q) => q.ReturnData !== false).map((q) => q.Id!);
      const valuesOf = (id: string) => results.get(id)?.Values ?? [];
      const value = returned.length === 1 ? valuesOf(returned[0]!) : Object.fromEntries(returned.map((id) => [id, valuesOf(id)]));
      return { value, raw: [...results.values()] };
    },
  };
}

/** All pages of a GetMetricData call, merged per query id; a query CloudWatch could not answer is an error. */
async function getMetricData(client: CloudWatchSender, queries: MetricDataQuery[], start: Date, end: Date): Promise<Map<string, MetricDataResult>> {
  const merged = new Map<string, MetricDataResult>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const output = await client.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampDescending', ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    for (const result of output.MetricDataResults ?? []) {
      if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
        const messages = (result.Messages ?? []).map((m) => m.Value).filter(Boolean);
        throw new Error(`GetMetricData query "${result.Id}": ${result.StatusCode}${messages.length ? ` (${messages.join('; ')})` : ''}`);
      }
      const previous = merged.get(result.Id!);
      merged.set(result.Id!, {
        ...result,
        Values: [...(previous?.Values ?? []), ...(result.Values ?? [])],
        Timestamps: [...(previous?.Timestamps ?? []), ...(result.Timestamps ?? [])],
      });
    }
    nextToken = output.NextToken;
    if (!nextToken) return merged;
  }
  throw new Error(`GetMetricData returned more than ${MAX_PAGES} pages; shorten the period`);
}

/** `result` is the alarm's state: "OK", "ALARM" or "INSUFFICIENT_DATA". */
export function createCloudWatchAlarmProvider(client: CloudWatchSender): MetricProvider {
  return {
    async measure(metric, args) {
      const { alarmName } = providerConfig(metric, 'cloudwatchAlarm', args);
      const output = await client.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      const alarm = output.MetricAlarms?.[0] ?? output.CompositeAlarms?.[0];
      if (!alarm?.StateValue) throw new Error(`CloudWatch alarm "${alarmName}" does not exist`);
      return { value: alarm.StateValue, raw: { AlarmName: alarm.AlarmName, StateValue: alarm.StateValue, StateReason: alarm.StateReason } };
    },
  };
}

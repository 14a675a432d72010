import { evaluate, ExpressionError, parseExpression, referencedIds, type ExprNode, type ExprValue, type TimeSeries } from './expression.js';
import { aggregate, statistic, type MetricId, type MetricStore } from './store.js';

export type MetricDataQuery =
  | { id: string; label?: string; returnData: boolean; kind: 'metric'; metric: MetricId; period: number; stat: string }
  | { id: string; label?: string; returnData: boolean; kind: 'expression'; expression: string; period?: number };

export interface QueryResult {
  id: string;
  label: string;
  /** Ascending by timestamp. */
  points: Array<[number, number]>;
}

/** Why a whole GetMetricData request (or alarm evaluation) cannot be answered. */
export class QueryError extends Error {}

/** Period starts covering [start, end): the first period is the one containing start. */
export function periodGrid(startMs: number, endMs: number, periodSeconds: number): number[] {
  const periodMs = periodSeconds * 1000;
  const grid: number[] = [];
  for (let t = Math.floor(startMs / periodMs) * periodMs; t < endMs; t += periodMs) grid.push(t);
  return grid;
}

export function metricSeries(store: MetricStore, metric: MetricId, stat: string, grid: readonly number[], periodSeconds: number): TimeSeries {
  const series = store.get(metric);
  const out: TimeSeries = new Map();
  if (!series) return out;
  for (const t of grid) {
    const bucket = aggregate(series, t, periodSeconds * 1000);
    const value = bucket && statistic(bucket, stat);
    if (value !== undefined && Number.isFinite(value)) out.set(t, value);
  }
  return out;
}

/**
 * Runs a GetMetricData request: metric queries read the store, expressions combine other queries by id
 * (in any order, cycles rejected). Returns the queries with ReturnData true.
 */
export function runQueries(store: MetricStore, queries: readonly MetricDataQuery[], startMs: number, endMs: number): QueryResult[] {
  const byId = new Map(queries.map((q) => [q.id, q]));
  if (byId.size !== queries.length) throw new QueryError('The Id of each MetricDataQuery must be unique');
  const firstMetric = queries.find((q) => q.kind === 'metric');
  const defaultPeriod = firstMetric?.period ?? queries.find((q) => q.period !== undefined)?.period ?? 60;
  const values = new Map<string, ExprValue>();
  const parsed = new Map<string, ExprNode>();
  const inProgress = new Set<string>();

  const gridFor = (period: number | undefined) => periodGrid(startMs, endMs, period ?? defaultPeriod);
  const resolve = (id: string): ExprValue => {
    const cached = values.get(id);
    if (cached !== undefined) return cached;
    const query = byId.get(id);
    if (!query) throw new QueryError(`The expression refers to an unknown Id '${id}'`);
    if (inProgress.has(id)) throw new QueryError(`The expressions contain a circular reference through '${id}'`);
    inProgress.add(id);
    let value: ExprValue;
    if (query.kind === 'metric') {
      value = metricSeries(store, query.metric, query.stat, gridFor(query.period), query.period);
    } else {
      let node = parsed.get(id);
      if (!node) {
        node = parseOrFail(query.expression, id);
        parsed.set(id, node);
      }
      const grid = gridFor(query.period);
      value = evaluate(node, {
        resolve,
        grid,
        metrics: () => queries.filter((q) => q.kind === 'metric').map((q) => resolve(q.id) as TimeSeries),
      });
      if (typeof value === 'number') value = new Map(grid.map((t) => [t, value as number]));
    }
    inProgress.delete(id);
    values.set(id, value);
    return value;
  };

  return queries
    .filter((q) => q.returnData)
    .map((query) => {
      let value: ExprValue;
      try {
        value = resolve(query.id);
      } catch (error) {
        if (error instanceof ExpressionError) throw new QueryError(`Error in expression '${query.id}': ${error.message}`);
        throw error;
      }
      if (Array.isArray(value)) throw new QueryError(`The expression '${query.id}' returns several time series; reduce it with SUM, AVG, MIN or MAX`);
      const points = [...(value as TimeSeries)].filter(([, v]) => Number.isFinite(v)).sort(([a], [b]) => a - b);
      return { id: query.id, label: query.label ?? (query.kind === 'metric' ? query.metric.metricName : query.id), points };
    });
}

function parseOrFail(expression: string, id: string): ExprNode {
  try {
    const node = parseExpression(expression);
    if (referencedIds(node).includes(id)) throw new QueryError(`The expression '${id}' refers to itself`);
    return node;
  } catch (error) {
    if (error instanceof ExpressionError) throw new QueryError(`Error in expression '${id}': ${error.message}`);
    throw error;
  }
}

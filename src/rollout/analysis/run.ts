/**
 * An analysis run as plain, small, serializable data, and the pure functions over it: Argo Rollouts' rules for when
 * a metric is measured and what its measurements add up to. Time is always passed in (`now`, epoch milliseconds).
 */
import type { AnalysisRunSpec, MetricPolicy } from './spec.js';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
/** A metric's or a run's phase. Running covers "waiting for the initial delay" too. */
export type AnalysisPhase = 'Running' | MeasurementPhase;

export interface Measurement {
  phase: MeasurementPhase;
  startedAt: number;
  finishedAt: number;
  /** The measured value as JSON, cut to a few hundred characters: for status and logs, not for decisions. */
  value?: string;
  /** Why the measurement is an Error, or which condition could not be evaluated. */
  message?: string;
}

export interface MetricRun {
  name: string;
  policy: MetricPolicy;
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  /** finishedAt of the latest measurement. */
  lastMeasuredAt?: number;
  lastPhase?: MeasurementPhase;
  /** The latest measurements, newest last, at most RECENT_MEASUREMENTS. */
  recent: Measurement[];
}

export interface AnalysisRun {
  startedAt: number;
  /** Set when the rollout no longer needs the run (e.g. a background run at promotion): open metrics succeed. */
  terminatedAt?: number;
  metrics: MetricRun[];
}

export const RECENT_MEASUREMENTS = 10;
/** Like Argo Rollouts: a failed measurement call is retried after 10 s (or the interval, if shorter). */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

/** Worst first: the run's phase is the first of these that any metric has. */
const PHASE_SEVERITY: readonly AnalysisPhase[] = ['Failed', 'Error', 'Inconclusive', 'Running', 'Successful'];

export function startRun(spec: AnalysisRunSpec, now: number): AnalysisRun {
  return { startedAt: now, metrics: spec.metrics.map((metric) => emptyMetricRun(metric.name, metric.policy)) };
}

export function emptyMetricRun(name: string, policy: MetricPolicy): MetricRun {
  return { name, policy, successful: 0, failed: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0, recent: [] };
}

/** Measurements that count towards `count`: errors are retried, not counted. */
export function measuredCount(metric: MetricRun): number {
  return metric.successful + metric.failed + metric.inconclusive;
}

/** Folds one measurement into its metric; the run is not modified. */
export function recordMeasurement(run: AnalysisRun, metricName: string, measurement: Measurement): AnalysisRun {
  if (!run.metrics.some((m) => m.name === metricName)) throw new Error(`the run has no metric "${metricName}"`);
  return { ...run, metrics: run.metrics.map((metric) => (metric.name === metricName ? addMeasurement(metric, measurement) : metric)) };
}

function addMeasurement(metric: MetricRun, measurement: Measurement): MetricRun {
  const isError = measurement.phase === 'Error';
  return {
    ...metric,
    successful: metric.successful + (measurement.phase === 'Successful' ? 1 : 0),
    failed: metric.failed + (measurement.phase === 'Failed' ? 1 : 0),
    inconclusive: metric.inconclusive + (measurement.phase === 'Inconclusive' ? 1 : 0),
    errors: metric.errors + (isError ? 1 : 0),
    consecutiveErrors: isError ? metric.consecutiveErrors + 1 : 0,
    lastMeasuredAt: measurement.finishedAt,
    lastPhase: measurement.phase,
    recent: [...metric.recent, measurement].slice(-RECENT_MEASUREMENTS),
  };
}

/** Argo Rollouts' metric assessment: limits first (failures, then inconclusives, then consecutive errors), then count. */
export function metricPhase(metric: MetricRun, terminated = false): AnalysisPhase {
  const { policy } = metric;
  if (metric.failed > policy.failureLimit) return 'Failed';
  if (metric.inconclusive > policy.inconclusiveLimit) return 'Inconclusive';
  if (metric.consecutiveErrors > policy.consecutiveErrorLimit) return 'Error';
  if (policy.count !== undefined && measuredCount(metric) >= policy.count) return 'Successful';
  return terminated ? 'Successful' : 'Running';
}

/** The worst phase of the run's metrics: Failed > Error > Inconclusive > Running > Successful. */
export function runPhase(run: AnalysisRun): AnalysisPhase {
  const phases = new Set(run.metrics.map((metric) => metricPhase(metric, run.terminatedAt !== undefined)));
  return PHASE_SEVERITY.find((phase) => phases.has(phase)) ?? 'Successful';
}

export function isComplete(phase: AnalysisPhase): boolean {
  return phase !== 'Running';
}

/** When a metric is next due; undefined once the metric (or the run) is decided. */
export function metricDueAt(run: AnalysisRun, metric: MetricRun): number | undefined {
  if (isComplete(runPhase(run)) || isComplete(metricPhase(metric))) return undefined;
  if (metric.lastMeasuredAt === undefined) return run.startedAt + metric.policy.initialDelayMs;
  const interval = metric.policy.intervalMs ?? ERROR_RETRY_INTERVAL_MS;
  return metric.lastMeasuredAt + (metric.lastPhase === 'Error' ? Math.min(interval, ERROR_RETRY_INTERVAL_MS) : interval);
}

/** Names of the metrics to measure at `now`. */
export function dueMetrics(run: AnalysisRun, now: number): string[] {
  return run.metrics.filter((metric) => (metricDueAt(run, metric) ?? Infinity) <= now).map((metric) => metric.name);
}

/**
 * When the caller should come back: the earliest due measurement, never before `now` (a due metric gives `now`).
 * Undefined once the run is complete: nothing more will be measured.
 */
export function nextMeasurementAt(run: AnalysisRun, now: number): number | undefined {
  const due = run.metrics.map((metric) => metricDueAt(run, metric)).filter((at): at is number => at !== undefined);
  return due.length === 0 ? undefined : Math.max(now, Math.min(...due));
}

/** Ends a run that is no longer needed (Argo's terminate): metrics still running count as successful. */
export function terminateRun(run: AnalysisRun, now: number): AnalysisRun {
  return run.terminatedAt === undefined ? { ...run, terminatedAt: now } : run;
}

/** What the rollout state machine does with a run's phase. Error counts as failure, as in Argo Rollouts. */
export type AnalysisDecision = 'proceed' | 'wait' | 'pause' | 'abort';

export function analysisDecision(phase: AnalysisPhase): AnalysisDecision {
  switch (phase) {
    case 'Successful':
      return 'proceed';
    case 'Running':
      return 'wait';
    case 'Inconclusive':
      return 'pause';
    case 'Failed':
    case 'Error':
      return 'abort';
  }
}

export interface MetricSummary {
  name: string;
  phase: AnalysisPhase;
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  /** Why the metric is in its phase, for status and events. */
  message: string;
  lastMeasurement?: Measurement;
}

export interface RunSummary {
  phase: AnalysisPhase;
  decision: AnalysisDecision;
  /** Undefined when the run is complete. */
  nextMeasurementAt?: number;
  metrics: MetricSummary[];
}

/** The run as status, logs and the CLI show it. */
export function summarizeRun(run: AnalysisRun, now: number): RunSummary {
  const phase = runPhase(run);
  const next = nextMeasurementAt(run, now);
  return {
    phase,
    decision: analysisDecision(phase),
    ...(next === undefined ? {} : { nextMeasurementAt: next }),
    metrics: run.metrics.map((metric) => {
      const metricState = metricPhase(metric, run.terminatedAt !== undefined);
      const last = metric.recent.at(-1);
      return {
        name: metric.name,
        phase: metricState,
        successful: metric.successful,
        failed: metric.failed,
        inconclusive: metric.inconclusive,
        errors: metric.errors,
        consecutiveErrors: metric.consecutiveErrors,
        message: phaseMessage(metric, metricState),
        ...(last ? { lastMeasurement: last } : {}),
      };
    }),
  };
}

function phaseMessage(metric: MetricRun, phase: AnalysisPhase): string {
  const { policy } = metric;
  const last = metric.recent.at(-1)?.message;
  switch (phase) {
    case 'Failed':
      return `${metric.failed} failed measurement(s), more than failureLimit ${policy.failureLimit}`;
    case 'Inconclusive':
      return `${metric.inconclusive} inconclusive measurement(s), more than inconclusiveLimit ${policy.inconclusiveLimit}`;
    case 'Error':
      return `${metric.consecutiveErrors} consecutive errors, more than consecutiveErrorLimit ${policy.consecutiveErrorLimit}${last ? `; last: ${last}` : ''}`;
    case 'Successful':
      return `${measuredCount(metric)} measurement(s) taken, ${metric.successful} successful`;
    case 'Running':
      return `${measuredCount(metric)}${policy.count === undefined ? '' : ` of ${policy.count}`} measurement(s) taken`;
  }
}

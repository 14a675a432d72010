/**
 * The analysis engine of progressive delivery: AnalysisTemplates to run specs, runs as plain data with Argo
 * Rollouts' semantics, the safe condition language, and the metric providers. See docs/analysis.md.
 */
export { AnalysisConfigError } from './args.js';
export type { AnalysisArgs } from './args.js';
export { rolloutArgs } from './context.js';
export type { RolloutFacts } from './context.js';
export { ALARM_DEFAULT_CONDITIONS, createRunSpec, DEFAULT_CONSECUTIVE_ERROR_LIMIT, DEFAULT_FAILURE_LIMIT, DEFAULT_INCONCLUSIVE_LIMIT } from './spec.js';
export type { AnalysisRunSpec, MetricPolicy, MetricSpec, ProviderKind, RunSpecInput } from './spec.js';
export {
  analysisDecision,
  dueMetrics,
  ERROR_RETRY_INTERVAL_MS,
  metricPhase,
  nextMeasurementAt,
  recordMeasurement,
  runPhase,
  startRun,
  summarizeRun,
  terminateRun,
} from './run.js';
export type { AnalysisDecision, AnalysisPhase, AnalysisRun, Measurement, MeasurementPhase, MetricRun, MetricSummary, RunSummary } from './run.js';
export { encodeRunTag, restoreRun } from './tag.js';
export { assessMeasurement, measureMetric, takeMeasurements } from './measure.js';
export type { MeasureContext, MetricProvider, MetricProviders, MetricValue } from './measure.js';
export { createProviders } from './providers/index.js';
export type { ProviderDependencies } from './providers/index.js';
export { createCloudWatchAlarmProvider, createCloudWatchProvider, loadBalancerDimension, targetGroupDimension } from './providers/cloudwatch.js';
export type { CloudWatchSender } from './providers/cloudwatch.js';
export { createPrometheusProvider } from './providers/prometheus.js';
export { createWebProvider } from './providers/web.js';
export { ExpressionError, parseExpression } from './expression/index.js';
export type { Expression, Value } from './expression/index.js';

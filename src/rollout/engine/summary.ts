/**
 * A rollout pass as the controller shows it: the `/status` summary, the service's health, and the metrics
 * (`rollout_*` gauges through the summary; `rollouts_total`, `analysis_runs_total` and `rollout_records_rejected_total`
 * from the pass's events).
 */
import type { AnalysisStatus, AnalysisSummary, HealthStatus, RolloutSummary } from '../../controller/status.js';
import type { ControllerMetrics } from '../../metrics/metrics.js';
import type { RolloutReport } from './reconcile-rollout.js';

/** The `rollout` field of the controller's ServiceSummary; undefined when the pass did not reach the state machine. */
export function toRolloutSummary(report: RolloutReport): RolloutSummary | undefined {
  const status = report.status;
  if (!status) return undefined;
  const analysis = report.analysis.flatMap((run): AnalysisSummary[] => {
    const phase: AnalysisStatus = run.phase === 'Pending' ? 'Running' : run.phase;
    const templates = run.templates.length > 0 ? run.templates : [run.runId];
    return templates.map((template) => ({ template, status: phase, ...(run.message ? { message: run.message } : {}) }));
  });
  return {
    phase: status.phase,
    ...(status.step ? { step: status.step.index, totalSteps: status.step.total } : {}),
    canaryWeight: status.canaryWeight,
    ...(report.record ? { stepStartedAt: new Date(report.record.stepStartedAt * 1000).toISOString() } : {}),
    message: status.message,
    ...(analysis.length > 0 ? { analysis } : {}),
  };
}

/** Argo CD's health for a rollout service: Degraded after an abort, Progressing while a version ships. */
export function rolloutHealth(report: RolloutReport): HealthStatus {
  switch (report.status?.phase) {
    case undefined:
      return 'Unknown';
    case 'Stable':
      return 'Healthy';
    case 'Degraded':
    case 'Aborting':
    case 'RollingBack':
      return 'Degraded';
    default:
      return 'Progressing';
  }
}

/**
 * Applies one pass to the metrics. Call it once per reconcile of a rollout service; the gauges come from
 * `setServiceStatus` with `toRolloutSummary`. Counters only count what the pass committed to AWS, so a pass whose
 * record write failed (and will be replayed) is not counted twice.
 */
export function recordRolloutMetrics(metrics: Pick<ControllerMetrics, 'observeRolloutFinished' | 'countAnalysisRun' | 'countRejectedRecord'>, report: RolloutReport): void {
  // Every pass that sees a rejected record counts it: while the rollout holds, the alert keeps firing.
  for (const event of report.events) if (event.type === 'RecordRejected') metrics.countRejectedRecord(report.key, event.record, event.reason);
  if (!report.committed) return;
  for (const event of report.events) {
    if (event.type !== 'Outcome') continue;
    const reason = event.outcome === 'aborted' ? report.record?.abortReason : undefined;
    metrics.observeRolloutFinished({ strategy: report.strategy, outcome: event.outcome, ...(reason ? { reason } : {}), durationSeconds: event.durationSeconds });
  }
  for (const run of report.finishedAnalysis) {
    if (run.phase === 'Running') continue;
    for (const template of run.templates) metrics.countAnalysisRun(template, run.phase);
  }
}

/**
 * A rollout as people read it: one line per service, or one service's phase, steps (the current one marked),
 * weights, task sets and analysis, in the spirit of `kubectl argo rollouts get rollout`. Shared by the `status`
 * command (which computes the report from AWS) and the controller's `/rollouts/...` page (its last pass). Pure.
 */
import type { ObservedNativeDeployment } from '../../observe/types.js';
import type { TaskSetSummary } from '../types.js';
import type { RolloutReport } from './reconcile-rollout.js';
import { toRolloutSummary } from './summary.js';

/** One service as `status` shows it: its strategy, and the rollout pass computed without acting. */
export interface ServiceStatusView {
  key: string;
  strategy: string;
  /** Canary/BlueGreen only. */
  rollout?: RolloutReport;
  /** Rolling/Native: ECS's own rolloutState of the primary deployment, or why the service has none. */
  deployment?: string;
}

/**
 * A native deployment in one line: status, stage, the new revision's share of production (and test) traffic,
 * the current stage's hooks and the bake countdown.
 */
export function nativeDeploymentLine(native: ObservedNativeDeployment, now: number): string {
  const parts = [native.status];
  if (native.stage) parts.push(native.stage);
  if (native.productionPercent !== undefined) parts.push(`production ${native.productionPercent}% new`);
  if (native.testPercent !== undefined) parts.push(`test ${native.testPercent}% new`);
  for (const hook of native.hooks) parts.push(`hook ${hook.targetArn.slice(hook.targetArn.lastIndexOf(':') + 1)} ${hook.status}`);
  if (native.bakeEndsAt !== undefined) parts.push(`bake ${Math.max(0, Math.ceil((native.bakeEndsAt - now) / 1000))}s left`);
  if (native.status.startsWith('ROLLBACK') && native.statusReason) parts.push(native.statusReason);
  return parts.join(', ');
}

function short(hash: string | undefined): string {
  return hash ? hash.slice(0, 12) : '-';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** All services, one line each. */
export function renderStatusTable(views: readonly ServiceStatusView[]): string {
  const rows = [['SERVICE', 'STRATEGY', 'PHASE', 'STEP', 'WEIGHT', 'MESSAGE']];
  for (const view of views) {
    const status = view.rollout?.status;
    if (!view.rollout) rows.push([view.key, view.strategy, '-', '-', '-', view.deployment ?? '']);
    else if (!status) rows.push([view.key, view.strategy, 'Error', '-', '-', view.rollout.error?.message ?? '']);
    else {
      rows.push([
        view.key,
        view.strategy,
        `${status.phase}/${status.subPhase}`,
        status.step ? `${status.step.index + 1}/${status.step.total}` : '-',
        `${status.canaryWeight}%`,
        status.message,
      ]);
    }
  }
  return `${table(rows).join('\n')}\n`;
}

function stepMarker(report: RolloutReport, index: number): string {
  const status = report.status;
  const stage = report.record?.stage;
  if (!status || !report.record) return status?.phase === 'Stable' ? '✔' : ' ';
  if (stage !== 'progressing') return stage === 'aborted' ? ' ' : '✔';
  const current = status.step?.index ?? 0;
  return index < current ? '✔' : index === current ? '▶' : ' ';
}

function taskSetRow(role: string, set: TaskSetSummary | undefined): string[] {
  if (!set) return [role, '-', '-', '-', '-', '-'];
  return [role, short(set.hash), `${set.scalePercent}%`, `${set.running}/${set.desired}`, String(set.healthyTargets), set.targetGroupArn?.split(':').pop() ?? '-'];
}

/** One rollout, in the spirit of `kubectl argo rollouts get rollout`. */
export function renderRolloutDetail(view: ServiceStatusView): string {
  const report = view.rollout;
  if (!report) return `Name:      ${view.key}\nStrategy:  ${view.strategy}\nStatus:    ${view.deployment ?? '-'}\n`;
  const status = report.status;
  if (!status) return `Name:      ${view.key}\nStrategy:  ${view.strategy}\nError:     ${report.error?.code}: ${report.error?.message}\n`;
  const lines = [
    `Name:      ${view.key}`,
    `Strategy:  ${status.strategy}`,
    `Status:    ${status.phase} (${status.subPhase})`,
    `Message:   ${status.message}`,
    ...(status.step ? [`Step:      ${status.step.index + 1}/${status.step.total}`] : []),
    `Weights:   stable ${100 - status.canaryWeight}%  new ${status.canaryWeight}%`,
    `Desired:   ${short(report.hash)}${report.record ? `  (attempt ${report.record.attempt}, stage ${report.record.stage})` : ''}`,
    '',
    'Steps:',
    ...report.steps.map((step, index) => `  ${stepMarker(report, index)} ${index + 1}. ${step}`),
    '',
    'Task sets:',
    ...table([['  ROLE', 'HASH', 'SCALE', 'RUNNING/DESIRED', 'HEALTHY', 'TARGET GROUP'], taskSetRow('  stable', status.stable), taskSetRow('  new', status.canary)]),
  ];
  if (report.analysis.length > 0) {
    lines.push('', 'Analysis:');
    for (const run of report.analysis) {
      lines.push(`  ${run.runId} (${run.templates.join(', ') || '?'}): ${run.phase}${run.message ? ` - ${run.message}` : ''}`);
      for (const metric of run.summary?.metrics ?? []) {
        const last = metric.lastMeasurement?.value ? `, last ${metric.lastMeasurement.value}` : '';
        lines.push(`    ${metric.name}: ${metric.phase} (${metric.successful} ok, ${metric.failed} failed, ${metric.inconclusive} inconclusive, ${metric.errors} errors${last})`);
      }
    }
  }
  for (const event of report.events) {
    if (event.type === 'Warning') lines.push(`Warning:   ${event.message}`);
    if (event.type === 'RecordRejected') lines.push(`Tampered:  ${event.message} (not obeyed)`);
  }
  return `${lines.join('\n')}\n`;
}


/** The view as JSON: the whole rollout report, plus the summary `/status` shows. */
export function viewJson(view: ServiceStatusView): ServiceStatusView & { summary?: ReturnType<typeof toRolloutSummary> } {
  const summary = view.rollout && toRolloutSummary(view.rollout);
  return { ...view, ...(summary ? { summary } : {}) };
}

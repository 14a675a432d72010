/** How `diff`, `apply` and `dev` print a reconcile report: one renderer, so the commands never disagree. */
import { formatPath, renderText } from '../diff/index.js';
import type { CallSummary, PruneResult, ServiceResult, ServiceStatus } from '../apply/index.js';
import { formatDiagnostics, pathFromCwd } from '../manifest/index.js';
import { isHeld } from '../hold/index.js';
import { countByStatus } from '../reconcile/index.js';
import type { ReconcileReport } from '../reconcile/index.js';

export interface RenderReportOptions {
  color: boolean;
  /** Manifest paths are printed relative to this folder (the shell's), so they can be opened from there; default process.cwd(). */
  cwd?: string;
  /** Append the API calls counted by operation (apply, dev). */
  showCalls: boolean;
}

type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim';
const ANSI: Record<Colour, string> = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', dim: '\u001b[2m' };

const STATUS: Record<ServiceStatus, { label: string; colour: Colour }> = {
  'in-sync': { label: 'in sync', colour: 'green' },
  planned: { label: 'would change', colour: 'yellow' },
  changed: { label: 'changed', colour: 'green' },
  'not-converged': { label: 'not converged', colour: 'red' },
  failed: { label: 'failed', colour: 'red' },
  conflict: { label: 'conflict (left alone)', colour: 'yellow' },
  'requires-replacement': { label: 'requires replacement (left alone)', colour: 'yellow' },
  blocked: { label: 'blocked', colour: 'red' },
  invalid: { label: 'invalid manifest (left untouched)', colour: 'red' },
};

/** Whether to colour: a TTY, unless NO_COLOR is set (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

export function renderReport(report: ReconcileReport, options: RenderReportOptions): string {
  const paint = (colour: Colour, text: string) => (options.color ? `${ANSI[colour]}${text}\u001b[0m` : text);
  const cwd = options.cwd ?? process.cwd();
  const fromCwd = (file: string) => pathFromCwd(report.root, file, cwd);
  const sections = [
    `desired state ${report.root} at revision ${report.revision}${report.dryRun ? ' (dry run: nothing is changed)' : ''}`,
    ...(report.diagnostics.length > 0 ? [formatDiagnostics(report.diagnostics, { displayFile: fromCwd })] : []),
    ...report.services.map((service) => renderService(service, { color: options.color, paint, fromCwd })),
    ...(report.prune ? [renderPrune(report.prune)] : []),
    ...(report.error ? [paint('red', `error: ${report.error.code}: ${report.error.message}`)] : []),
    ...(options.showCalls && report.calls ? [renderCalls(report.calls)] : []),
    // After an error that stopped the pass before any service, "0 services" would read as an empty folder.
    ...(report.error && report.services.length === 0 ? [] : [summaryLine(report)]),
  ];
  return `${sections.join('\n\n')}\n`;
}

interface ServiceRenderContext {
  color: boolean;
  paint: (colour: Colour, text: string) => string;
  fromCwd: (file: string) => string;
}

function renderService(service: ServiceResult, { color, paint, fromCwd }: ServiceRenderContext): string {
  // A held revision is not "in sync": git wants a revision that failed and is not deployed again.
  const held = isHeld(service.hold);
  const { label, colour } = held ? { label: 'failed revision held (not deployed)', colour: 'red' as const } : STATUS[service.status];
  const where = service.source ? ` ${paint('dim', `(${fromCwd(service.source.file)}:${service.source.line})`)}` : '';
  const lines = [`${paint(colour, `${service.key}: ${label}`)}${where}`];
  if (service.error) lines.push(paint('red', `  error: ${service.error.action ? `${service.error.action}: ` : ''}${service.error.code}: ${service.error.message}`));
  if ((service.status !== 'in-sync' || held) && service.changes.length > 0) lines.push(renderText(service.changes, { color, title: service.key }));
  for (const action of service.actions) lines.push(`  ${action.status === 'planned' ? '' : `[${action.status}] `}${action.kind} ${action.resourceKey}: ${action.reason}`);
  if (service.remaining && service.remaining.length > 0) lines.push(renderText(service.remaining, { color, title: `${service.key} still differs after applying` }));
  if (service.deferred.length > 0) {
    lines.push(`  deferred to the rollout engine (task sets and traffic): ${[...new Set(service.deferred.map((change) => formatPath(change.path)))].join(', ')}`);
  }
  for (const message of service.messages) lines.push(`  note: ${message}`);
  for (const diagnostic of service.diagnostics ?? []) lines.push(`  ${fromCwd(diagnostic.file)}:${diagnostic.line}:${diagnostic.col}: ${diagnostic.message}`);
  return lines.join('\n');
}

function renderPrune(prune: PruneResult): string {
  if (prune.outcome === 'refused') {
    const would = prune.wouldDelete.length > 0 ? ` (it would have deleted ${prune.wouldDelete.join(', ')})` : '';
    return `prune refused: ${prune.reason}${would}; nothing was deleted`;
  }
  if (prune.services.length === 0) return 'prune: no managed service is without a manifest';
  return prune.services
    .map((service) => {
      const steps = service.actions.map((action) => `${action.kind}${action.status === 'planned' ? '' : ` [${action.status}]`}`).join(', ');
      const error = service.error ? `: ${service.error.code}: ${service.error.message}` : '';
      return `prune ${service.key}: ${service.status === 'planned' ? 'would delete' : service.status} (${steps})${error}`;
    })
    .join('\n');
}

function renderCalls(calls: CallSummary): string {
  const header = `API calls: ${calls.total} (${calls.reads} reads, ${calls.mutating} mutating, ${calls.throttled} throttled and retried)`;
  const rows = calls.operations.map((entry) => {
    const outcomes = [entry.throttled > 0 ? `${entry.throttled} throttled` : '', entry.error > 0 ? `${entry.error} failed` : ''].filter(Boolean).join(', ');
    const count = entry.ok + entry.throttled + entry.error;
    return `  ${entry.mutating ? 'write' : 'read '} ${entry.api} ${entry.operation} ${count}${outcomes ? ` (${outcomes})` : ''}`;
  });
  return [header, ...rows].join('\n');
}

function summaryLine(report: ReconcileReport): string {
  const counts = Object.entries(countByStatus(report)).map(([status, count]) => `${count} ${STATUS[status as ServiceStatus].label}`);
  const total = report.services.length;
  return `${total} service${total === 1 ? '' : 's'}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}

/** The report as JSON, for `--json`. */
export function reportJson(report: ReconcileReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

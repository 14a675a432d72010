import type { Command } from 'commander';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import type { AwsClients } from '../../aws/index.js';
import { loadDesiredState } from '../../manifest/index.js';
import type { DesiredService, DesiredStateSnapshot } from '../../manifest/index.js';
import { observeServices, TaskDefinitionCache } from '../../observe/index.js';
import type { ObservedState } from '../../observe/index.js';
import { observationFor } from '../../plan/index.js';
import { parseServiceArgument, reconcileRollout, toRolloutSummary } from '../../rollout/engine/index.js';
import type { RolloutReport } from '../../rollout/engine/index.js';
import type { TaskSetSummary } from '../../rollout/types.js';
import { parseDuration } from '../../manifest/index.js';
import { addAwsOptions, awsClientOptions } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';

interface StatusFlags extends AwsFlags {
  dir: string;
  cluster?: string;
  watch?: boolean;
  json?: boolean;
  interval: string;
}

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
 * Reads AWS directly (no controller needed): one batched observation of the services the manifests in `dir` name,
 * then the rollout engine in dry-run mode, which computes phase, step and weights exactly as the controller would,
 * without sending anything or taking measurements.
 */
export async function collectStatus(clients: AwsClients, snapshot: DesiredStateSnapshot, only: string | undefined, now?: () => number): Promise<ServiceStatusView[]> {
  const services = [...snapshot.services.values()].filter((service) => only === undefined || service.key === only);
  if (only !== undefined && services.length === 0) throw new Error(`no manifest in ${snapshot.root} names service ${only}`);
  const taskDefinitions = new TaskDefinitionCache();
  const observation = observationFor(services.map((service) => service.manifest));
  const state = await observeServices({ clients, taskDefinitions }, observation.keys, observation.extras);
  const views: ServiceStatusView[] = [];
  for (const service of services) views.push(await viewOf(clients, taskDefinitions, snapshot, service, state, now));
  return views;
}

async function viewOf(
  clients: AwsClients,
  taskDefinitions: TaskDefinitionCache,
  snapshot: DesiredStateSnapshot,
  service: DesiredService,
  state: ObservedState,
  now: (() => number) | undefined,
): Promise<ServiceStatusView> {
  const strategy = service.manifest.spec.rollout?.strategy ?? 'Rolling';
  const observed = state.services[service.key];
  if (!observed) return { key: service.key, strategy, deployment: 'missing (not created yet)' };
  if (strategy !== 'Canary' && strategy !== 'BlueGreen') {
    const primary = observed.deployments.find((deployment) => deployment.status === 'PRIMARY');
    return { key: service.key, strategy, deployment: primary ? `${primary.rolloutState ?? 'unknown'} ${primary.runningCount}/${primary.desiredCount} running` : 'no deployment' };
  }
  const rollout = await reconcileRollout(
    { clients, taskDefinitions, instance: '', revision: snapshot.revision, dryRun: true, ...(now ? { clock: { now } } : {}) },
    { manifest: service.manifest, analysisTemplates: snapshot.analysisTemplates, observed: state },
  );
  return { key: service.key, strategy, rollout };
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
  for (const event of report.events) if (event.type === 'Warning') lines.push(`Warning:   ${event.message}`);
  return `${lines.join('\n')}\n`;
}

function statusJson(views: readonly ServiceStatusView[]): string {
  return `${JSON.stringify(
    views.map((view) => ({ ...view, ...(view.rollout ? { summary: toRolloutSummary(view.rollout) } : {}) })),
    null,
    2,
  )}\n`;
}

export function renderStatus(views: readonly ServiceStatusView[], options: { json: boolean; single: boolean }): string {
  if (options.json) return statusJson(views);
  return options.single && views[0] ? renderRolloutDetail(views[0]) : renderStatusTable(views);
}

async function runStatus(serviceArgument: string | undefined, flags: StatusFlags): Promise<number> {
  const only = serviceArgument === undefined ? undefined : (({ cluster, service }) => `${cluster}/${service}`)(parseServiceArgument(serviceArgument, flags.cluster));
  const intervalMs = parseDuration(flags.interval) * 1000;
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    for (;;) {
      const snapshot = await loadDesiredState(flags.dir);
      const text = renderStatus(await collectStatus(clients, snapshot, only), { json: flags.json ?? false, single: only !== undefined });
      // Watching: clear the screen and redraw, like `watch`.
      process.stdout.write(flags.watch && process.stdout.isTTY ? `\u001b[2J\u001b[H${text}` : text);
      if (!flags.watch) return 0;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    destroyAwsClients(clients);
  }
}

export function register(program: Command): void {
  addAwsOptions(
    program
      .command('status')
      .description('rollout phase, steps, weights, task sets and analysis of one service, or a table of all (reads AWS directly)')
      .argument('[service]', 'cluster/name, or name with --cluster; omit for every service of the manifests')
      .option('--dir <dir>', 'desired-state folder (for the steps and analysis templates)', 'desired-state')
      .option('--cluster <cluster>', 'the cluster, when SERVICE is a bare name')
      .option('--watch', 'redraw until Ctrl+C')
      .option('--interval <duration>', 'redraw interval with --watch', '2s')
      .option('--json', 'print JSON: each service with its rollout report and /status summary'),
  ).action(async (service: string | undefined, flags: StatusFlags) => {
    try {
      process.exitCode = await runStatus(service, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler status: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });
}

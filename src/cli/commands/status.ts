import type { Command } from 'commander';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import type { AwsClients } from '../../aws/index.js';
import { loadDesiredState } from '../../manifest/index.js';
import type { DesiredService, DesiredStateSnapshot } from '../../manifest/index.js';
import { observeServices, TaskDefinitionCache } from '../../observe/index.js';
import type { ObservedState } from '../../observe/index.js';
import { observationFor } from '../../plan/index.js';
import { parseServiceArgument, reconcileRollout, renderRolloutDetail, renderStatusTable, viewJson } from '../../rollout/engine/index.js';
import type { ServiceStatusView } from '../../rollout/engine/index.js';
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

export function renderStatus(views: readonly ServiceStatusView[], options: { json: boolean; single: boolean }): string {
  if (options.json) return `${JSON.stringify(views.map(viewJson), null, 2)}\n`;
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

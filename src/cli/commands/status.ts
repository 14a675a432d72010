import { Option } from 'commander';
import type { Command } from 'commander';
import { renderDecisions } from '../../audit/index.js';
import type { AuditEntry } from '../../audit/index.js';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import type { AwsClients } from '../../aws/index.js';
import { loadRecordKey, RECORD_KEY_ENV } from '../../integrity/index.js';
import type { RecordKeyring } from '../../integrity/index.js';
import { loadDesiredState } from '../../manifest/index.js';
import type { DesiredService, DesiredStateSnapshot } from '../../manifest/index.js';
import { observeServices, TaskDefinitionCache } from '../../observe/index.js';
import type { ObservedState } from '../../observe/index.js';
import { observationFor, planService } from '../../plan/index.js';
import { describeFailedRevision, failedRevisionOf, isHeld } from '../../hold/index.js';
import { nativeDeploymentLine, parseServiceArgument, reconcileRollout, renderRolloutDetail, renderStatusTable, viewJson } from '../../rollout/engine/index.js';
import type { ServiceStatusView } from '../../rollout/engine/index.js';
import { parseDuration } from '../../manifest/index.js';
import { addAwsOptions, awsClientOptions, recordKeyOption } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';

interface StatusFlags extends AwsFlags {
  dir: string;
  controller?: string;
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
export async function collectStatus(
  clients: AwsClients,
  snapshot: DesiredStateSnapshot,
  only: string | undefined,
  keyring: RecordKeyring,
  now?: () => number,
): Promise<ServiceStatusView[]> {
  const services = [...snapshot.services.values()].filter((service) => only === undefined || service.key === only);
  if (only !== undefined && services.length === 0) throw new Error(`no manifest in ${snapshot.root} names service ${only}`);
  const taskDefinitions = new TaskDefinitionCache();
  const observation = observationFor(services.map((service) => service.manifest));
  const state = await observeServices({ clients, taskDefinitions }, observation.keys, observation.extras);
  const views: ServiceStatusView[] = [];
  for (const service of services) views.push(await viewOf(clients, taskDefinitions, snapshot, service, state, keyring, now));
  return views;
}

async function viewOf(
  clients: AwsClients,
  taskDefinitions: TaskDefinitionCache,
  snapshot: DesiredStateSnapshot,
  service: DesiredService,
  state: ObservedState,
  keyring: RecordKeyring,
  now: (() => number) | undefined,
): Promise<ServiceStatusView> {
  const strategy = service.manifest.spec.rollout?.strategy ?? 'Rolling';
  const observed = state.services[service.key];
  if (!observed) return { key: service.key, strategy, deployment: 'missing (not created yet)' };
  if (strategy !== 'Canary' && strategy !== 'BlueGreen') {
    const native = observed.nativeDeployment ? `; native ${nativeDeploymentLine(observed.nativeDeployment, (now ?? Date.now)())}` : '';
    return { key: service.key, strategy, deployment: `${deploymentStatus(service, state, snapshot.revision)}${native}` };
  }
  const rollout = await reconcileRollout(
    { clients, taskDefinitions, instance: '', revision: snapshot.revision, dryRun: true, keyring, ...(now ? { clock: { now } } : {}) },
    { manifest: service.manifest, analysisTemplates: snapshot.analysisTemplates, observed: state },
  );
  return { key: service.key, strategy, rollout };
}

/**
 * A Rolling/Native service's line, judged as the controller judges it (the plan's failed-revision hold): "rolled
 * back" with the failed revision and the reason, and never ECS's COMPLETED for a revision that is not the desired one.
 */
export function deploymentStatus(service: DesiredService, state: ObservedState, revision: string): string {
  const observed = state.services[service.key];
  const primary = observed?.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (!observed || !primary) return 'no deployment';
  const plan = planService(service.manifest, state, { revision, ...recordKeyOption() });
  const failed = isHeld(plan.hold) ? failedRevisionOf(plan.hold) : undefined;
  if (failed) return `rolled back: ${describeFailedRevision(failed, service.manifest.spec.taskDefinition.family)}`;
  const running = `${primary.runningCount}/${primary.desiredCount} running`;
  const onDesired = !plan.changes.some((change) => change.path[0] === 'taskDefinition' || (change.path[0] === 'service' && change.path[1] !== 'desiredCount'));
  return onDesired ? `${primary.rolloutState ?? 'unknown'} ${running}` : `${running} of another revision: the desired one is not deployed yet`;
}

/** A service's recent decisions as a running controller keeps them, or why they are not shown. */
export type ControllerDecisions = { url: string; decisions: AuditEntry[] } | { problem: string };

export const CONTROLLER_ENV = 'ECS_RECONCILER_CONTROLLER';

/** Reads `/status/CLUSTER/SERVICE` of the controller at `url`; never throws (the AWS part of status stands alone). */
export async function fetchDecisions(url: string | undefined, key: string, fetchImpl: typeof fetch = fetch): Promise<ControllerDecisions> {
  if (!url) return { problem: `not shown: pass --controller URL (or set ${CONTROLLER_ENV}) to read them from a running controller` };
  const [cluster = '', service = ''] = key.split('/');
  const address = `${url.replace(/\/+$/, '')}/status/${encodeURIComponent(cluster)}/${encodeURIComponent(service)}`;
  try {
    const response = await fetchImpl(address, { signal: AbortSignal.timeout(5_000) });
    if (response.status === 404) return { problem: `the controller at ${url} does not reconcile ${key} (it may be another shard's)` };
    if (!response.ok) return { problem: `the controller at ${url} answered ${response.status}` };
    const body = (await response.json()) as { decisions?: AuditEntry[] };
    return { url, decisions: body.decisions ?? [] };
  } catch (error) {
    return { problem: `the controller at ${url} could not be read: ${(error as Error).message}` };
  }
}

export function renderStatus(views: readonly ServiceStatusView[], options: { json: boolean; single: boolean; decisions?: ControllerDecisions }): string {
  const { decisions } = options;
  if (options.json) {
    const extra = decisions ? ('decisions' in decisions ? { decisions: decisions.decisions } : { decisionsProblem: decisions.problem }) : {};
    return `${JSON.stringify(views.map((view) => ({ ...viewJson(view), ...(options.single ? extra : {}) })), null, 2)}\n`;
  }
  if (!options.single || !views[0]) return renderStatusTable(views);
  const detail = renderRolloutDetail(views[0]);
  if (!decisions) return detail;
  const section = 'decisions' in decisions ? [`Decisions (from ${decisions.url}):`, ...renderDecisions(decisions.decisions)] : [`Decisions: ${decisions.problem}`];
  return `${detail}\n${section.join('\n')}\n`;
}

async function runStatus(serviceArgument: string | undefined, flags: StatusFlags): Promise<number> {
  const known = [...(await loadDesiredState(flags.dir)).services.values()];
  const only = serviceArgument === undefined ? undefined : (({ cluster, service }) => `${cluster}/${service}`)(parseServiceArgument(serviceArgument, flags.cluster, known));
  const intervalMs = parseDuration(flags.interval) * 1000;
  // Operators need not hold the record key: without it, status shows the records unverified and says so.
  const keyring: RecordKeyring = process.env[RECORD_KEY_ENV] ? loadRecordKey() : 'read-only';
  if (keyring === 'read-only') process.stderr.write(`note: ${RECORD_KEY_ENV} is not set, so rollout records are shown without verifying their signatures\n`);
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    for (;;) {
      const snapshot = await loadDesiredState(flags.dir);
      const views = await collectStatus(clients, snapshot, only, keyring);
      const decisions = only === undefined ? undefined : await fetchDecisions(flags.controller, only);
      const text = renderStatus(views, { json: flags.json ?? false, single: only !== undefined, ...(decisions ? { decisions } : {}) });
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
      .argument('[service]', 'cluster/name, or a name (unique among the manifests, else with --cluster); omit for every service of the manifests')
      .option('--dir <dir>', 'desired-state folder (for the steps and analysis templates)', 'desired-state')
      .option('--cluster <cluster>', 'the cluster, when SERVICE is a bare name')
      .option('--watch', 'redraw until Ctrl+C')
      .option('--interval <duration>', 'redraw interval with --watch', '2s')
      .option('--json', 'print JSON: each service with its rollout report and /status summary')
      .addOption(new Option('--controller <url>', "a running controller's URL, to show the service's recent decisions (its /status/CLUSTER/SERVICE)").env(CONTROLLER_ENV)),
  ).action(async (service: string | undefined, flags: StatusFlags) => {
    try {
      process.exitCode = await runStatus(service, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler status: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });
}

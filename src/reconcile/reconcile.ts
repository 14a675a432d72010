import type { AwsClients } from '../aws/index.js';
import { appliedResult, executeActions, executePrune, failedResult, invalidResult, isConverged, plannedResult, PruneLedgerWriter, toApplyError } from '../apply/index.js';
import type { ApplyError, CallRecorder, Execution, PendingRegistrations, PruneResult, ServiceResult } from '../apply/index.js';
import { loadDesiredState } from '../manifest/index.js';
import type { DesiredService, DesiredStateSnapshot, InputLimits } from '../manifest/index.js';
import { observeClusters, observeServices, TaskDefinitionCache } from '../observe/index.js';
import type { ObservedService, ObservedState } from '../observe/index.js';
import { needsFailedTasks, observeFailedTasks } from '../hold/index.js';
import { DEFAULT_INSTANCE, observationFor, planPrune, planService } from '../plan/index.js';
import type { PlanOptions, PruneBudget, ServicePlan } from '../plan/index.js';
import { reconcileRollouts } from '../rollout/engine/pass.js';
import type { RolloutEngineContext } from '../rollout/engine/index.js';
import { brokenServiceKeys, desiredStateErrors } from './report.js';
import type { BrokenService, ReconcileReport } from './report.js';

export interface ReconcileOptions {
  /** Plan only: no mutating call is sent. */
  dryRun?: boolean;
  /** Delete managed services that no manifest names (full pass only). */
  prune?: boolean;
  /** Prune past the deletion budget. */
  forcePrune?: boolean;
  /** How much prune may delete per cluster within a rolling window without forcePrune (DEFAULT_PRUNE_BUDGET otherwise). */
  pruneBudget?: Partial<PruneBudget>;
  /** Epoch ms, the end of the prune budget's window; default Date.now. */
  now?: () => number;
  /** The managed-by tag value. Default `ecs-reconciler`. */
  instance?: string;
  /**
   * Read-back after applying: AWS is eventually consistent (a service just created may not be described yet), so
   * a read-back that still differs is retried `attempts` times in all, waiting `delayMs` times the attempt number.
   */
  readBack?: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> };
  /** Signs the failure records the pass writes and verifies those it reads (src/hold, src/integrity). */
  recordKey?: PlanOptions['recordKey'];
}

export interface ReconcileContext {
  /** `cloudwatch` is used by rollout analysis; without it, CloudWatch metrics measure as errors. */
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'> & Partial<Pick<AwsClients, 'cloudwatch'>>;
  /** The recorder wired as the clients' observer: the report then counts the calls this pass made. */
  calls?: CallRecorder;
  /** Kept across passes by a long-running caller: task definitions are immutable, so they are read once. */
  taskDefinitions?: TaskDefinitionCache;
  /** Kept across passes by a long-running caller: a retry reuses a registration whose next step failed. */
  registrations?: PendingRegistrations;
  options?: ReconcileOptions;
  /**
   * Drive Canary/BlueGreen rollouts in this pass (src/rollout/engine): the long-running controller does, a one-shot
   * `apply` does not (a rollout needs a process that comes back when a pause or a measurement is due). The clock
   * (epoch ms) and analysis providers default to the system clock and the built-in providers.
   */
  rollout?: Pick<RolloutEngineContext, 'clock' | 'providers' | 'fetch' | 'keyring'>;
}

/** A folder (or one file) to load, within the given input limits, or a snapshot already loaded. */
export type DesiredStateSource = { dir: string; limits?: InputLimits } | { snapshot: DesiredStateSnapshot };

const DEFAULT_READ_BACK = { attempts: 3, delayMs: 1000 };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One reconcile pass over every manifest: load, observe in batches, plan each service, apply (unless dry run),
 * read back, and with `prune` delete the managed services no manifest names. Never throws for AWS or manifest
 * errors: they are in the report.
 */
export async function reconcileAll(input: ReconcileContext & DesiredStateSource): Promise<ReconcileReport> {
  const snapshot = 'snapshot' in input ? input.snapshot : await loadDesiredState(input.dir, input.limits);
  return reconcilePass(snapshot, [...snapshot.services.values()], brokenServiceKeys(snapshot), input);
}

/**
 * The same pass for one `cluster/name` key (the controller's work-queue handler). A key no manifest names does
 * nothing: deleting it is prune's decision, which needs the whole desired set.
 */
export async function reconcileService(key: string, input: ReconcileContext & DesiredStateSource): Promise<ReconcileReport> {
  const snapshot = 'snapshot' in input ? input.snapshot : await loadDesiredState(input.dir, input.limits);
  const desired = snapshot.services.get(key);
  const broken = brokenServiceKeys(snapshot).filter((entry) => entry.key === key);
  return reconcilePass(snapshot, desired ? [desired] : [], broken, { ...input, options: { ...input.options, prune: false } });
}

async function reconcilePass(
  snapshot: DesiredStateSnapshot,
  desired: DesiredService[],
  broken: BrokenService[],
  context: ReconcileContext,
): Promise<ReconcileReport> {
  const options = context.options ?? {};
  const mark = context.calls?.mark();
  const report: ReconcileReport = {
    revision: snapshot.revision,
    root: snapshot.root,
    dryRun: options.dryRun ?? false,
    services: broken.map(({ key, diagnostics }) => invalidResult(key, diagnostics)),
    diagnostics: snapshot.diagnostics,
  };
  const run = { ...context, taskDefinitions: context.taskDefinitions ?? new TaskDefinitionCache(), options };
  try {
    const state = await observeDesired(run, desired, options.prune ?? false);
    report.observed = observedOf(desired, state);
    const planOptions: PlanOptions = {
      revision: snapshot.revision,
      instance: options.instance ?? DEFAULT_INSTANCE,
      now: context.rollout?.clock?.now() ?? Date.now(),
      ...(options.recordKey ? { recordKey: options.recordKey } : {}),
    };
    report.services.push(...(await applyServices(run, desired, state, planOptions)));
    if (run.rollout) {
      const engine = { ...run.rollout, clients: run.clients, taskDefinitions: run.taskDefinitions, instance: planOptions.instance ?? DEFAULT_INSTANCE, revision: snapshot.revision, dryRun: options.dryRun ?? false };
      const rollouts = await reconcileRollouts(engine, snapshot, desired, state, report.services);
      if (Object.keys(rollouts.rollouts).length > 0) report.rollouts = rollouts.rollouts;
      if (rollouts.requeueAfterMs !== undefined) report.requeueAfterMs = rollouts.requeueAfterMs;
    }
    if (options.prune) report.prune = await prune(run, snapshot, state);
  } catch (error) {
    report.error = toApplyError(error);
  }
  report.services.sort((a, b) => a.key.localeCompare(b.key));
  if (mark !== undefined && context.calls) report.calls = context.calls.since(mark);
  return report;
}

type Run = ReconcileContext & { taskDefinitions: TaskDefinitionCache; options: ReconcileOptions };

/**
 * Reads only what the manifests name: their services (DescribeServices, 10 per call) and the target groups,
 * rules and scaling they refer to. Prune needs every service of those clusters, to find the managed ones.
 */
async function observeDesired(run: Run, desired: readonly DesiredService[], wholeClusters: boolean): Promise<ObservedState> {
  const observation = observationFor(desired.map((service) => service.manifest));
  const context = { clients: run.clients, taskDefinitions: run.taskDefinitions };
  return wholeClusters ? observeClusters(context, observation.clusters, { ...observation.extras, clusterTags: true }) : observeServices(context, observation.keys, observation.extras);
}

function observedOf(desired: readonly DesiredService[], state: ObservedState): Record<string, ObservedService> {
  return Object.fromEntries(desired.flatMap(({ key }) => (state.services[key] ? [[key, state.services[key]] as const] : [])));
}

type Planned = { service: DesiredService; plan: ServicePlan } | { service: DesiredService; error: ApplyError };

/** Plans one service; a plan that cannot be made fails that service only. */
function planOne(service: DesiredService, state: ObservedState, planOptions: PlanOptions): Planned {
  try {
    return { service, plan: planService(service.manifest, state, planOptions) };
  } catch (error) {
    return { service, error: toApplyError(error) };
  }
}

async function applyServices(run: Run, desired: readonly DesiredService[], state: ObservedState, planOptions: PlanOptions): Promise<ServiceResult[]> {
  const planned = desired.map((service) => planOne(service, state, planOptions));
  await recheckDeploys(run, planned, state, planOptions);
  const acting = run.options.dryRun
    ? []
    : planned.filter((entry): entry is Extract<Planned, { plan: ServicePlan }> => 'plan' in entry && entry.plan.outcome === 'changes' && entry.plan.actions.length > 0);

  const executions = new Map<string, Execution>();
  for (const { service, plan } of acting) executions.set(service.key, await executeActions(run.clients, plan.actions, { taskDefinitions: run.taskDefinitions, registrations: run.registrations }));
  const applied = acting.filter(({ service }) => !executions.get(service.key)?.error).map(({ service }) => service);
  const readBack = applied.length > 0 ? await readBackPlans(run, applied, planOptions) : new Map<string, ServicePlan>();

  return planned.map((entry) => {
    if ('error' in entry) return failedResult(entry.service.key, entry.error, entry.service.source);
    const execution = executions.get(entry.service.key);
    return execution ? appliedResult(entry.plan, execution, readBack.get(entry.service.key), entry.service.source) : plannedResult(entry.plan, entry.service.source);
  });
}

/**
 * Before a Rolling/Native service is deployed, and when a failure is about to be recorded: its recently failed tasks
 * (DescribeTasks) join the observation and the service is planned again. A rollback that finished before the
 * controller looked leaves only them to show that the desired revision failed (it is then held, not redeployed),
 * and they say why (`CannotPullContainerError: ...`). Best effort: without them the first plan stands.
 */
async function recheckDeploys(run: Run, planned: Planned[], state: ObservedState, planOptions: PlanOptions): Promise<void> {
  for (const [index, entry] of planned.entries()) {
    if (!('plan' in entry) || !needsFailedTasks(entry.plan)) continue;
    const service = state.services[entry.plan.key];
    if (service && (await observeFailedTasks(run.clients.ecs, run.taskDefinitions, state, service))) planned[index] = planOne(entry.service, state, planOptions);
  }
}

/** Re-observes the applied services (in one batch) and re-plans them, retrying those not yet in sync. */
async function readBackPlans(run: Run, services: readonly DesiredService[], planOptions: PlanOptions): Promise<Map<string, ServicePlan>> {
  const { attempts, delayMs } = { ...DEFAULT_READ_BACK, ...run.options.readBack };
  const sleep = run.options.readBack?.sleep ?? wait;
  const plans = new Map<string, ServicePlan>();
  let pending = services;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const state = await observeDesired(run, pending, false);
    for (const service of pending) plans.set(service.key, planService(service.manifest, state, planOptions));
    pending = pending.filter((service) => !isConverged(plans.get(service.key)!));
    if (attempt >= attempts || pending.length === 0) break;
    await sleep(delayMs * attempt);
  }
  return plans;
}

async function prune(run: Run, snapshot: DesiredStateSnapshot, state: ObservedState): Promise<PruneResult> {
  const errors = desiredStateErrors(snapshot);
  const now = run.options.now ?? Date.now;
  const plan = planPrune({
    desiredKeys: [...snapshot.services.keys()],
    state,
    instance: run.options.instance ?? DEFAULT_INSTANCE,
    now: now(),
    force: run.options.forcePrune ?? false,
    ...(run.options.pruneBudget ? { budget: run.options.pruneBudget } : {}),
    ...(errors > 0 ? { blocker: `the desired state has ${errors} error(s); a broken or unreadable file could hide services that must stay` } : {}),
  });
  return executePrune(run.clients, plan, run.options.dryRun ? { dryRun: true } : { dryRun: false, ledger: new PruneLedgerWriter(run.clients.ecs, now) });
}
